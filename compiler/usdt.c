/* usdt.c: USDT probes of a binary (its stapsdt notes, common/elfbin.c)
 * and their argument specs decoded at compile time.
 *
 * A note's argument string is what the compiler put in the asm operands
 * of the probe site, "SIZE@LOCATION" separated by spaces: SIZE is 1, 2, 4
 * or 8 bytes, negative for a signed value; LOCATION is, on x86-64,
 * $IMM (a constant), %REG (a register) or DISP(%BASE[,%INDEX[,SCALE]])
 * (memory); on arm64 IMM, REG, [REG], [REG, DISP] or [REG, REG2]. Each
 * becomes a C expression over the probe's registers (the uprobe's
 * pt_regs). A location tpc cannot read (a global named by symbol, a high
 * byte register) makes the site unusable, with the reason. */
#include "tpc.h"
#include "elfbin.h"

#include <ctype.h>
#include <errno.h>
#include <elf.h>
#include <stdlib.h>
#include <string.h>

struct reg {
	const char *name;
	const char *field; /* of struct pt_regs (x86) */
	int bytes;
};

static const struct reg x86_regs[] = {
	{"rax", "ax", 8}, {"eax", "ax", 4}, {"ax", "ax", 2}, {"al", "ax", 1},
	{"rbx", "bx", 8}, {"ebx", "bx", 4}, {"bx", "bx", 2}, {"bl", "bx", 1},
	{"rcx", "cx", 8}, {"ecx", "cx", 4}, {"cx", "cx", 2}, {"cl", "cx", 1},
	{"rdx", "dx", 8}, {"edx", "dx", 4}, {"dx", "dx", 2}, {"dl", "dx", 1},
	{"rsi", "si", 8}, {"esi", "si", 4}, {"si", "si", 2}, {"sil", "si", 1},
	{"rdi", "di", 8}, {"edi", "di", 4}, {"di", "di", 2}, {"dil", "di", 1},
	{"rbp", "bp", 8}, {"ebp", "bp", 4}, {"bp", "bp", 2}, {"bpl", "bp", 1},
	{"rsp", "sp", 8}, {"esp", "sp", 4}, {"sp", "sp", 2}, {"spl", "sp", 1},
	{"rip", "ip", 8},
	{NULL, NULL, 0},
};

/* A register's C expression into out, its width in *bytes; false when
 * tpc does not know it. */
static bool x86_reg(const char *name, char *out, size_t len, int *bytes)
{
	for (int i = 0; x86_regs[i].name; i++)
		if (!strcmp(name, x86_regs[i].name)) {
			snprintf(out, len, "ctx->%s", x86_regs[i].field);
			*bytes = x86_regs[i].bytes;
			return true;
		}
	/* r8..r15 and their r8d, r8w, r8b */
	char *end;
	if (name[0] != 'r' || !isdigit((unsigned char)name[1]))
		return false;
	long n = strtol(name + 1, &end, 10);
	if (n < 8 || n > 15)
		return false;
	*bytes = !*end ? 8 : !strcmp(end, "d") ? 4 : !strcmp(end, "w") ? 2 : !strcmp(end, "b") ? 1 : 0;
	if (!*bytes)
		return false;
	snprintf(out, len, "ctx->r%ld", n);
	return true;
}

static bool arm64_reg(const char *name, char *out, size_t len, int *bytes)
{
	if (!strcmp(name, "sp") || !strcmp(name, "pc")) {
		snprintf(out, len, "((struct user_pt_regs *)ctx)->%s", name);
		*bytes = 8;
		return true;
	}
	if ((name[0] != 'x' && name[0] != 'w') || !isdigit((unsigned char)name[1]))
		return false;
	char *end;
	long n = strtol(name + 1, &end, 10);
	if (*end || n < 0 || n > 30)
		return false;
	snprintf(out, len, "((struct user_pt_regs *)ctx)->regs[%ld]", n);
	*bytes = name[0] == 'x' ? 8 : 4;
	return true;
}

static bool read_reg(const char **p, const char *arch, char *out, size_t len, int *bytes, char *err, size_t errlen)
{
	char name[16];
	size_t n = 0;
	if (!strcmp(arch, "x86")) {
		if (**p != '%') {
			snprintf(err, errlen, "expected a register (%%reg) at '%.20s'", *p);
			return false;
		}
		(*p)++;
	}
	while (isalnum((unsigned char)**p) && n + 1 < sizeof(name))
		name[n++] = *(*p)++;
	name[n] = 0;
	if (!strcmp(arch, "x86") ? x86_reg(name, out, len, bytes) : arm64_reg(name, out, len, bytes))
		return true;
	snprintf(err, errlen, "register '%s' is not one tpc reads", name);
	return false;
}

/* a signed integer: decimal or 0x hex */
static bool read_int(const char **p, long long *v)
{
	char *end;
	errno = 0;
	*v = strtoll(*p, &end, 0);
	if (end == *p || errno)
		return false;
	*p = end;
	return true;
}

static void skip_spaces(const char **p)
{
	while (**p == ' ' || **p == '\t')
		(*p)++;
}

/* One "SIZE@LOCATION" at *p. */
static bool parse_one(const char **p, const char *arch, struct usdt_arg *a, char *err, size_t errlen)
{
	const char *start = *p;
	long long size;
	if (!read_int(p, &size) || **p != '@') {
		snprintf(err, errlen, "'%.24s' is not SIZE@LOCATION", start);
		return false;
	}
	(*p)++;
	if (size != 1 && size != 2 && size != 4 && size != 8 && size != -1 && size != -2 && size != -4 && size != -8) {
		snprintf(err, errlen, "size %lld in '%.24s' is not 1, 2, 4 or 8 bytes", size, start);
		return false;
	}
	a->size = (int)(size < 0 ? -size : size);
	a->is_signed = size < 0;
	bool x86 = !strcmp(arch, "x86");
	if (x86 ? **p == '$' : (isdigit((unsigned char)**p) || **p == '-')) {
		if (x86)
			(*p)++;
		a->kind = USDT_CONST;
		if (!read_int(p, &a->value)) {
			snprintf(err, errlen, "'%.24s': the constant is not a number (a symbol's address?)", start);
			return false;
		}
	} else if (x86 ? **p == '%' : **p != '[') {
		a->kind = USDT_REG;
		if (!read_reg(p, arch, a->base, sizeof(a->base), &a->reg_bytes, err, errlen))
			return false;
	} else if (x86) {
		a->kind = USDT_MEM;
		if (**p != '(' && !read_int(p, &a->value)) {
			snprintf(err, errlen, "'%.24s' addresses memory through a symbol (a global): tpc reads registers, "
					      "constants and register-relative memory", start);
			return false;
		}
		if (**p != '(') {
			snprintf(err, errlen, "'%.24s': expected '(' after the displacement", start);
			return false;
		}
		(*p)++;
		int bytes;
		if (!read_reg(p, arch, a->base, sizeof(a->base), &bytes, err, errlen))
			return false;
		if (**p == ',') {
			(*p)++;
			if (!read_reg(p, arch, a->index, sizeof(a->index), &bytes, err, errlen))
				return false;
			a->scale = 1;
			if (**p == ',') {
				long long sc;
				(*p)++;
				if (!read_int(p, &sc) || (sc != 1 && sc != 2 && sc != 4 && sc != 8)) {
					snprintf(err, errlen, "'%.24s': bad scale", start);
					return false;
				}
				a->scale = (int)sc;
			}
		}
		if (**p != ')') {
			snprintf(err, errlen, "'%.24s': expected ')'", start);
			return false;
		}
		(*p)++;
	} else { /* arm64 [REG], [REG, DISP], [REG, REG2] */
		a->kind = USDT_MEM;
		(*p)++;
		int bytes;
		if (!read_reg(p, arch, a->base, sizeof(a->base), &bytes, err, errlen))
			return false;
		skip_spaces(p);
		if (**p == ',') {
			(*p)++;
			skip_spaces(p);
			if (isdigit((unsigned char)**p) || **p == '-') {
				if (!read_int(p, &a->value)) {
					snprintf(err, errlen, "'%.24s': bad displacement", start);
					return false;
				}
			} else {
				if (!read_reg(p, arch, a->index, sizeof(a->index), &bytes, err, errlen))
					return false;
				a->scale = 1;
			}
		}
		skip_spaces(p);
		if (**p != ']') {
			snprintf(err, errlen, "'%.24s': expected ']'", start);
			return false;
		}
		(*p)++;
	}
	if (**p && **p != ' ' && **p != '\t') {
		snprintf(err, errlen, "'%.24s': unexpected '%c'", start, **p);
		return false;
	}
	snprintf(a->text, sizeof(a->text), "%.*s", (int)(*p - start), start);
	return true;
}

/* The args of spec; their count, or -1 with the reason in err. */
static int parse_args(const char *spec, const char *arch, struct usdt_arg *out, int max, char *err, size_t errlen)
{
	const char *p = spec;
	int n = 0;
	for (;;) {
		skip_spaces(&p);
		if (!*p)
			return n;
		if (n == max) {
			snprintf(err, errlen, "more than %d arguments", max);
			return -1;
		}
		memset(&out[n], 0, sizeof(out[n]));
		if (!parse_one(&p, arch, &out[n], err, errlen))
			return -1;
		n++;
	}
}

struct usdt_site *usdt_sites(struct binary *bin, const char *provider, const char *name, const char *arch, int *n)
{
	*n = 0;
	if (!bin || !bin->elf || !provider || !name)
		return NULL;
	int nu;
	const struct elfbin_usdt *u = elfbin_usdts(bin->elf, &nu);
	struct usdt_site *s = NULL;
	int want = !strcmp(arch, "arm64") ? EM_AARCH64 : EM_X86_64;
	for (int i = 0; i < nu; i++) {
		if (strcmp(u[i].provider, provider) || strcmp(u[i].name, name))
			continue;
		s = xrealloc(s, sizeof(*s) * (size_t)(*n + 1));
		struct usdt_site *site = &s[(*n)++];
		memset(site, 0, sizeof(*site));
		site->spec = xstrdup(u[i].args);
		char err[160];
		if (elfbin_machine(bin->elf) != want || !elfbin_is64(bin->elf)) {
			site->problem = xasprintf("the binary is not a 64-bit %s one (tpc --arch)", !strcmp(arch, "arm64") ? "arm64" : "x86_64");
			continue;
		}
		if (elfbin_addr_to_offset(bin->elf, u[i].pc, 1, &site->offset)) {
			site->problem = xasprintf("its address 0x%llx is in no executable segment of the binary",
						  (unsigned long long)u[i].pc);
			continue;
		}
		if (u[i].sema && elfbin_addr_to_offset(bin->elf, u[i].sema, 0, &site->ref_ctr)) {
			site->problem = xasprintf("its semaphore's address 0x%llx is in no data segment of the binary",
						  (unsigned long long)u[i].sema);
			continue;
		}
		site->nargs = parse_args(u[i].args, arch, site->args, USDT_MAX_ARGS, err, sizeof(err));
		if (site->nargs < 0) {
			site->nargs = 0;
			site->problem = xasprintf("its arguments \"%s\" cannot be read: %s", u[i].args, err);
		}
	}
	return s;
}

void usdt_sites_free(struct usdt_site *s, int n)
{
	for (int i = 0; i < n; i++) {
		free(s[i].spec);
		free(s[i].problem);
	}
	free(s);
}

static int by_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *usdt_probe_list(struct binary *bin)
{
	struct buf b = {0};
	int nu = 0, n = 0;
	const struct elfbin_usdt *u = bin && bin->elf ? elfbin_usdts(bin->elf, &nu) : NULL;
	char **names = xcalloc((size_t)(nu ? nu : 1), sizeof(char *));
	for (int i = 0; i < nu; i++)
		names[n++] = xasprintf("%s:%s", u[i].provider, u[i].name);
	qsort(names, (size_t)n, sizeof(char *), by_text);
	for (int i = 0; i < n; i++) {
		if (!i || strcmp(names[i], names[i - 1]))
			buf_printf(&b, "%s%s", b.len ? ", " : "", names[i]);
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return b.s ? b.s : xstrdup("");
}
