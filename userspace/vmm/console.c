// SPDX-License-Identifier: GPL-2.0
/*
 * The guest console on the launcher's stdin/stdout. A terminal on stdin is
 * put in raw mode (restored at exit) so keys reach the guest unchanged;
 * Ctrl-A x quits, Ctrl-A Ctrl-A sends one Ctrl-A. Output is also scanned
 * line by line for the guest kernel's panic message.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "vmm.h"

#define CTRL_A 0x01
#define PANIC_TAG "Kernel panic - not syncing"
/* An exception before the IDT is up: the kernel halts for good, no reboot. */
#define EARLY_PANIC_TAG "PANIC: early exception"

static struct termios saved_tio;
static bool tio_saved;
static bool input_eof;
static bool escape;

/* Set before the vCPUs start; called from the main thread only. */
static console_input_fn input_fn;
static void *input_opaque;
/* Bytes read from stdin that the device could not take yet. */
static uint8_t pending[64];
static size_t pending_len, pending_off;

/* The current output line, for panic detection; io_lock held. */
static char line[200];
static size_t line_len;

int console_init(struct vm *vm)
{
	struct termios tio;

	(void)vm;
	input_eof = false;
	escape = false;
	pending_len = pending_off = 0;
	line_len = 0;
	if (tio_saved || !isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tio))
		return 0;
	tio = saved_tio;
	/* Input raw, output processing left alone (the guest sends CR LF). */
	tio.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	tio.c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	tio.c_cflag &= ~(CSIZE | PARENB);
	tio.c_cflag |= CS8;
	tio.c_cc[VMIN] = 1;
	tio.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &tio) == 0)
		tio_saved = true;
	return 0;
}

void console_exit(void)
{
	if (tio_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
	tio_saved = false;
}

void console_set_input(console_input_fn fn, void *opaque)
{
	input_fn = fn;
	input_opaque = opaque;
}

int console_input_fd(void)
{
	return input_eof || pending_len ? -1 : STDIN_FILENO;
}

static void scan_line(struct vm *vm, uint8_t c)
{
	char *p;

	if (c != '\n' && c != '\r') {
		if (line_len < sizeof(line) - 1)
			line[line_len++] = c;
		return;
	}
	line[line_len] = 0;
	line_len = 0;
	p = strstr(line, PANIC_TAG);
	if (p)
		vm_note_panic(vm, p);
	p = strstr(line, EARLY_PANIC_TAG);
	if (p)
		vm_stop(vm, STOP_PANIC, "%s", p);
}

void console_output(struct vm *vm, uint8_t c)
{
	ssize_t n;

	do {
		n = write(STDOUT_FILENO, &c, 1);
	} while (n < 0 && errno == EINTR);
	scan_line(vm, c);
}

bool console_pending(void)
{
	return pending_len != 0;
}

/* Hand pending input to the device; what it cannot take waits a tick. */
static void push_pending(void)
{
	size_t n;

	if (!input_fn) {
		pending_len = 0;
		return;
	}
	pthread_mutex_lock(&io_lock);
	n = input_fn(input_opaque, pending + pending_off, pending_len);
	pthread_mutex_unlock(&io_lock);
	pending_off += n;
	pending_len -= n;
}

bool console_poll_input(struct vm *vm)
{
	uint8_t buf[sizeof(pending)];
	ssize_t n, i;

	(void)vm;
	if (pending_len) {
		push_pending();
		return true;
	}
	n = read(STDIN_FILENO, buf, sizeof(buf));
	if (n <= 0) {
		if (n == 0 || (errno != EINTR && errno != EAGAIN))
			input_eof = true;
		return true;
	}
	for (i = 0; i < n; i++) {
		uint8_t c = buf[i];

		if (tio_saved && escape) {
			escape = false;
			if (c == 'x' || c == 'X')
				return false;
			if (c != CTRL_A)
				continue;
		} else if (tio_saved && c == CTRL_A) {
			escape = true;
			continue;
		}
		pending[pending_len++] = c;
	}
	pending_off = 0;
	push_pending();
	return true;
}
