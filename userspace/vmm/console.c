// SPDX-License-Identifier: GPL-2.0
/*
 * The guest console on the launcher's stdin/stdout. A terminal on stdin is
 * put in raw mode (restored at exit) so keys reach the guest unchanged;
 * Ctrl-A x quits, Ctrl-A Ctrl-A sends one Ctrl-A. Output is also scanned
 * line by line for the guest kernel's panic message.
 *
 * Input goes to every device that registered for it (console_add_input:
 * the 16550A; in Xen mode also the module's console_io ring), each byte to
 * each of them, in order. A device that is full takes the rest later:
 * stdin is not read again until every device took the bytes read before,
 * so a guest that reads slowly, or not yet, loses nothing. One exception
 * keeps a device the guest ignores from holding up the one it reads (a
 * Linux guest on ttyS0 never drains Xen's ring, a console_io guest never
 * reads the UART): once the guest has taken input from some device, the
 * bytes a device it never took input from cannot take are dropped for
 * that device (it keeps what it took, as a UART or Xen's own serial ring
 * would on overrun).
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

#define MAX_INPUTS	3

/*
 * The input devices: registered before the vCPUs start, then used by the
 * main thread only. @off: how many of the pending bytes the device took.
 */
static struct console_input {
	console_input_fn fn;
	console_reading_fn reading;
	void *opaque;
	pthread_mutex_t *lock;	/* the device's */
	size_t off;
} inputs[MAX_INPUTS];
static int nr_inputs;
/* Bytes read from stdin that not every device took yet. */
static uint8_t pending[64];
static size_t pending_len;

/*
 * Serializes output from the devices that write to the console (each holds
 * its own lock, taken before this one): the current line, for panic
 * detection.
 */
static pthread_mutex_t output_lock = PTHREAD_MUTEX_INITIALIZER;
static char line[200];
static size_t line_len;

int console_init(struct vm *vm)
{
	struct termios tio;
	int i;

	(void)vm;

	input_eof = false;
	escape = false;
	pending_len = 0;
	for (i = 0; i < nr_inputs; i++)
		inputs[i].off = 0;
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

/* Called by device init and exit, while no vCPU runs. */
int console_add_input(const char *name, console_input_fn fn, console_reading_fn reading,
		      void *opaque, pthread_mutex_t *lock)
{
	if (nr_inputs == MAX_INPUTS) {
		fprintf(stderr, "hxen: console input %s: too many devices\n", name);
		return -1;
	}
	inputs[nr_inputs++] = (struct console_input){
		.fn = fn, .reading = reading, .opaque = opaque, .lock = lock,
	};
	return 0;
}

void console_remove_input(void *opaque)
{
	int i, n = 0;

	for (i = 0; i < nr_inputs; i++)
		if (inputs[i].opaque != opaque)
			inputs[n++] = inputs[i];
	nr_inputs = n;
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

	pthread_mutex_lock(&output_lock);
	do {
		n = write(STDOUT_FILENO, &c, 1);
	} while (n < 0 && errno == EINTR);
	scan_line(vm, c);
	pthread_mutex_unlock(&output_lock);
}

bool console_pending(void)
{
	return pending_len != 0;
}

/*
 * Hand pending input to each device; what one cannot take waits a tick
 * (the main loop offers it again in 20 ms), unless the device is one the
 * guest ignores (see above).
 */
static void push_pending(void)
{
	bool done = true, any_read = false;
	int i;

	for (i = 0; i < nr_inputs; i++) {
		pthread_mutex_lock(inputs[i].lock);
		any_read |= inputs[i].reading(inputs[i].opaque);
		pthread_mutex_unlock(inputs[i].lock);
	}
	for (i = 0; i < nr_inputs; i++) {
		struct console_input *in = &inputs[i];

		if (in->off == pending_len)
			continue;
		pthread_mutex_lock(in->lock);
		in->off += in->fn(in->opaque, pending + in->off, pending_len - in->off);
		if (in->off < pending_len && any_read && !in->reading(in->opaque))
			in->off = pending_len;
		pthread_mutex_unlock(in->lock);
		if (in->off < pending_len)
			done = false;
	}
	if (!done)
		return;
	pending_len = 0;
	for (i = 0; i < nr_inputs; i++)
		inputs[i].off = 0;
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
	push_pending();
	return true;
}
