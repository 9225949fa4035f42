// SPDX-License-Identifier: GPL-2.0
/*
 * 16550A UART at 0x3f8, IRQ 4: the guest console. Transmission is instant
 * (THR and the shift register are always empty again after a write), so
 * the THR-empty interrupt fires after every write while IER.ETBEI is set,
 * as on hardware with an infinitely fast line. Received bytes come from the
 * launcher's stdin into a receive FIFO larger than the 16550's 16 bytes
 * (the guest cannot tell: it drains the FIFO until LSR.DR clears).
 *
 * The IRQ output follows the interrupt-pending state; KVM_IRQ_LINE is called
 * on every change, so the edge-triggered ISA pin sees a rising edge for each
 * new interrupt after the guest's handler cleared the previous one.
 * I/O handlers and console input run with the device's lock held.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../vmm/vmm.h"
#include "devices.h"

#define COM1_BASE	0x3f8
#define COM1_PORTS	8
#define COM1_IRQ	4
#define RX_FIFO_SIZE	256

#define UART_RBR	0	/* DLAB=0, read */
#define UART_THR	0	/* DLAB=0, write */
#define UART_IER	1	/* DLAB=0 */
#define UART_IIR	2	/* read */
#define UART_FCR	2	/* write */
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7

#define IER_RDI		0x01	/* received data available */
#define IER_THRI	0x02	/* THR empty */
#define IER_RLSI	0x04	/* receiver line status */
#define IER_MSI		0x08	/* modem status */

#define IIR_NO_INT	0x01
#define IIR_MSI		0x00
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_RLSI	0x06
#define IIR_FIFO	0xc0	/* FIFOs enabled (16550A) */

#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02

#define LCR_DLAB	0x80

#define MCR_DTR		0x01
#define MCR_RTS		0x02
#define MCR_OUT1	0x04
#define MCR_OUT2	0x08
#define MCR_LOOP	0x10

#define LSR_DR		0x01
#define LSR_OE		0x02
#define LSR_THRE	0x20
#define LSR_TEMT	0x40

#define MSR_DCTS	0x01
#define MSR_DDSR	0x02
#define MSR_TERI	0x04
#define MSR_DDCD	0x08
#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_RI		0x40
#define MSR_DCD		0x80
#define MSR_DELTAS	0x0f

struct uart {
	struct vm *vm;
	unsigned int irq;
	uint8_t ier, iir, lcr, mcr, lsr, msr, scr, dll, dlm;
	bool fifo;		/* FCR bit 0 */
	bool thr_int;		/* THR-empty interrupt pending (cleared by reading IIR) */
	int irq_level;
	uint8_t rx[RX_FIFO_SIZE];
	unsigned int rx_head, rx_count;
	bool rx_taken;		/* the guest has read a received byte */
	/* For --debug at exit: where the guest's transmitted bytes went. */
	unsigned long long tx_out, tx_loop, tx_latch;
};

static void update_irq(struct uart *u)
{
	uint8_t iir = IIR_NO_INT;
	int level;

	if ((u->ier & IER_RLSI) && (u->lsr & LSR_OE))
		iir = IIR_RLSI;
	else if ((u->ier & IER_RDI) && u->rx_count)
		iir = IIR_RDI;
	else if ((u->ier & IER_THRI) && u->thr_int)
		iir = IIR_THRI;
	else if ((u->ier & IER_MSI) && (u->msr & MSR_DELTAS))
		iir = IIR_MSI;
	u->iir = iir;
	level = !(iir & IIR_NO_INT);
	if (level != u->irq_level) {
		u->irq_level = level;
		vm_irq_line(u->vm, u->irq, level);
	}
}

static void rx_push(struct uart *u, uint8_t c)
{
	if (u->rx_count == RX_FIFO_SIZE) {
		u->lsr |= LSR_OE;
		return;
	}
	u->rx[(u->rx_head + u->rx_count++) % RX_FIFO_SIZE] = c;
}

static uint8_t rx_pop(struct uart *u)
{
	uint8_t c;

	if (!u->rx_count)
		return 0;
	u->rx_taken = true;
	c = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % RX_FIFO_SIZE;
	u->rx_count--;
	return c;
}

/* Modem status inputs: loopback wires MCR outputs to them; else a live line. */
static uint8_t msr_inputs(uint8_t mcr)
{
	uint8_t in = MSR_CTS | MSR_DSR | MSR_DCD;

	if (mcr & MCR_LOOP) {
		in = 0;
		if (mcr & MCR_RTS)
			in |= MSR_CTS;
		if (mcr & MCR_DTR)
			in |= MSR_DSR;
		if (mcr & MCR_OUT1)
			in |= MSR_RI;
		if (mcr & MCR_OUT2)
			in |= MSR_DCD;
	}
	return in;
}

static void update_msr(struct uart *u)
{
	uint8_t in = msr_inputs(u->mcr), old = u->msr;

	u->msr = (old & MSR_DELTAS) | in;
	if ((old ^ in) & MSR_CTS)
		u->msr |= MSR_DCTS;
	if ((old ^ in) & MSR_DSR)
		u->msr |= MSR_DDSR;
	if ((old & MSR_RI) && !(in & MSR_RI))
		u->msr |= MSR_TERI;
	if ((old ^ in) & MSR_DCD)
		u->msr |= MSR_DDCD;
}

static uint8_t uart_read(struct uart *u, unsigned int reg)
{
	uint8_t v;

	switch (reg) {
	case UART_RBR:
		if (u->lcr & LCR_DLAB)
			return u->dll;
		v = rx_pop(u);
		update_irq(u);
		return v;
	case UART_IER:
		return u->lcr & LCR_DLAB ? u->dlm : u->ier;
	case UART_IIR:
		v = u->iir | (u->fifo ? IIR_FIFO : 0);
		/* Reading IIR while it reports THRE acknowledges that interrupt. */
		if (u->iir == IIR_THRI) {
			u->thr_int = false;
			update_irq(u);
		}
		return v;
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		v = u->lsr | LSR_THRE | LSR_TEMT | (u->rx_count ? LSR_DR : 0);
		u->lsr &= ~LSR_OE;
		update_irq(u);
		return v;
	case UART_MSR:
		v = u->msr;
		u->msr &= ~MSR_DELTAS;
		update_irq(u);
		return v;
	default:
		return u->scr;
	}
}

static void uart_write(struct uart *u, unsigned int reg, uint8_t v)
{
	switch (reg) {
	case UART_THR:
		if (u->lcr & LCR_DLAB) {
			u->dll = v;
			u->tx_latch++;
			return;
		}
		if (u->mcr & MCR_LOOP) {
			rx_push(u, v);
			u->tx_loop++;
		} else {
			console_output(u->vm, v);
			u->tx_out++;
		}
		u->thr_int = true;
		break;
	case UART_IER:
		if (u->lcr & LCR_DLAB) {
			u->dlm = v;
			return;
		}
		/* Enabling ETBEI with THR empty raises the THRE interrupt. */
		if ((v & IER_THRI) && !(u->ier & IER_THRI))
			u->thr_int = true;
		u->ier = v & 0x0f;
		break;
	case UART_FCR:
		if ((v & FCR_ENABLE) != u->fifo || (v & FCR_CLEAR_RX))
			u->rx_count = 0;
		u->fifo = v & FCR_ENABLE;
		break;
	case UART_LCR:
		u->lcr = v;
		return;
	case UART_MCR:
		u->mcr = v & 0x1f;
		update_msr(u);
		break;
	case UART_LSR:
	case UART_MSR:
		return;		/* read-only (factory test modes not emulated) */
	default:
		u->scr = v;
		return;
	}
	update_irq(u);
}

static void serial_pio_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	memset(data, 0xff, len);
	*(uint8_t *)data = uart_read(opaque, off);
}

static void serial_pio_write(void *opaque, uint64_t off, const void *data, unsigned int len)
{
	(void)len;
	uart_write(opaque, off, *(const uint8_t *)data);
}

/* Console input; the device's lock held. */
static size_t serial_input(void *opaque, const uint8_t *buf, size_t len)
{
	struct uart *u = opaque;
	size_t n = 0;

	/* In loopback the receiver is wired to the transmitter: input waits. */
	if (u->mcr & MCR_LOOP)
		return 0;
	while (n < len && u->rx_count < RX_FIFO_SIZE)
		rx_push(u, buf[n++]);
	update_irq(u);
	return n;
}

/* Console input; the device's lock held. */
static bool serial_reading(void *opaque)
{
	return ((struct uart *)opaque)->rx_taken;
}

static const struct io_ops serial_ops = {
	.read = serial_pio_read,
	.write = serial_pio_write,
};

static void uart_reset(struct uart *u)
{
	u->iir = IIR_NO_INT;
	u->dll = 0x0c;		/* 9600 baud, as after a BIOS */
	u->lcr = 0x03;		/* 8N1 */
	u->mcr = MCR_OUT2;
	update_msr(u);
	u->msr &= ~MSR_DELTAS;
}

static int serial_init(struct device *dev)
{
	struct uart *u = calloc(1, sizeof(*u));

	if (!u)
		return -1;
	u->vm = dev->vm;
	u->irq = dev->desc->irq;
	uart_reset(u);
	dev->state = u;
	if (console_add_input("serial (COM1)", serial_input, serial_reading, u, &dev->lock)) {
		free(u);
		dev->state = NULL;
		return -1;
	}
	return 0;
}

static void serial_exit(struct device *dev)
{
	struct uart *u = dev->state;

	/* A guest whose console went quiet: was the UART left unable to send? */
	if (dev->vm->cfg->debug)
		fprintf(stderr, "hxen: serial: LCR %#x MCR %#x IER %#x; %llu bytes sent, %llu looped back, %llu THR writes to the divisor latch\n",
			u->lcr, u->mcr, u->ier, u->tx_out, u->tx_loop, u->tx_latch);
	console_remove_input(dev->state);
	free(dev->state);
}

/*
 * The registers, then the receive FIFO's bytes in order. The IRQ line is
 * not saved: it follows from the registers (the irqchip saves its pins).
 */
static void serial_save(struct device *dev, struct stream *out)
{
	struct uart *u = dev->state;
	unsigned int i;

	stream_put_u8(out, u->ier);
	stream_put_u8(out, u->lcr);
	stream_put_u8(out, u->mcr);
	stream_put_u8(out, u->lsr);
	stream_put_u8(out, u->msr);
	stream_put_u8(out, u->scr);
	stream_put_u8(out, u->dll);
	stream_put_u8(out, u->dlm);
	stream_put_u8(out, u->fifo);
	stream_put_u8(out, u->thr_int);
	stream_put_u8(out, u->rx_taken);
	stream_put_u16(out, u->rx_count);
	for (i = 0; i < u->rx_count; i++)
		stream_put_u8(out, u->rx[(u->rx_head + i) % RX_FIFO_SIZE]);
}

static int serial_load(struct device *dev, struct stream *in, uint32_t version)
{
	struct uart *u = dev->state, n;
	unsigned int i;

	(void)version;
	memset(&n, 0, sizeof(n));
	n.vm = u->vm;
	n.irq = u->irq;
	n.irq_level = u->irq_level;
	n.ier = stream_get_u8(in);
	n.lcr = stream_get_u8(in);
	n.mcr = stream_get_u8(in);
	n.lsr = stream_get_u8(in);
	n.msr = stream_get_u8(in);
	n.scr = stream_get_u8(in);
	n.dll = stream_get_u8(in);
	n.dlm = stream_get_u8(in);
	n.fifo = stream_get_bool(in);
	n.thr_int = stream_get_bool(in);
	n.rx_taken = stream_get_bool(in);
	n.rx_count = stream_get_u16(in);
	if (in->error || n.rx_count > RX_FIFO_SIZE) {
		fprintf(stderr, "hxen: device state: serial: truncated or bad FIFO\n");
		return -1;
	}
	for (i = 0; i < n.rx_count; i++)
		n.rx[i] = stream_get_u8(in);
	/* Only bits the registers can hold (see uart_write(), update_msr()). */
	if (in->error || (n.ier & ~0x0f) || (n.mcr & ~0x1f) || (n.lsr & ~LSR_OE) ||
	    (n.msr & ~MSR_DELTAS) != msr_inputs(n.mcr)) {
		fprintf(stderr, "hxen: device state: serial: bad registers\n");
		return -1;
	}
	*u = n;
	update_irq(u);
	return 0;
}

static const struct dev_io serial_io[] = {
	{ .name = "serial (COM1)", .base = COM1_BASE, .len = COM1_PORTS, .ops = &serial_ops },
};

const struct device_desc serial_device = {
	.name = "serial",
	.order = DEV_ORDER_CONSOLE,
	.io = serial_io,
	.nr_io = ARRAY_SIZE(serial_io),
	.irq = COM1_IRQ,
	.init = serial_init,
	.exit = serial_exit,
	.version = 1,
	.save = serial_save,
	.load = serial_load,
};
