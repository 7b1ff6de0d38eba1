/* typing.c: the stage between parse and check that gives an arg the type
 * the kernel's own description says it has, where the policy leaves the
 * type to tpc (type auto, the CRD's default, also when type is left out):
 *
 *  - tracepoints: from the field's declaration in the event's format file,
 *    by Tetragon's rules (4- and 8-byte int and long spellings, size_t,
 *    char * buffers with a sizeArgIndex, arrays as const_buf; anything
 *    else, pid_t included, must be written);
 *  - kprobes, raw tracepoints: from the parameter's type in the kernel
 *    BTF (integers by size and sign, char * as a string, pointers to the
 *    kernel structs an arg type reads: file, path, dentry, ...). Tetragon
 *    refuses auto there; the issue that asked for it in tpc wins.
 *
 * Args with resolve (and data entries, whose value comes from
 * current_task or pt_regs) are walked against the kernel BTF here too
 * (btf_access.c): a misspelt member is an error at its column with a
 * suggestion, and the walk (arg->access) is what the code generator
 * reads. The declared type is replaced when the path ends on a type
 * Tetragon names (int, long, unsigned long, an enum, file, path, ...), as
 * Tetragon does; auto is derived from where it ends.
 *
 * It writes arg->type, arg->type_name ("int (auto)") and arg->access and
 * nothing else: the model stays parse's, this stage only fills in what
 * parse could not know. An auto it cannot derive is an error (auto-type) at the
 * arg, unless the arg's index is beyond the prototype or the fields, which
 * check reports. */
#include "check.h"

#include <stdlib.h>
#include <string.h>

/* ---- from a format file ---- */

/* The spellings of a format file that auto reads as numbers. */
static const char *const int_spellings[] = {
	"int", "signed int", "unsigned int", "unsigned", "long", "long int", "signed long", "unsigned long",
	"long unsigned int", "long long", "unsigned long long", "long long unsigned int", "s32", "u32", "s64",
	"u64", "__s32", "__u32", "__s64", "__u64", NULL,
};

/* ctype without const/volatile and surrounding spaces, into out */
static void bare_ctype(const char *ctype, char *out, size_t len)
{
	const char *s = ctype;
	for (;;) {
		while (*s == ' ')
			s++;
		if (!strncmp(s, "const ", 6))
			s += 6;
		else if (!strncmp(s, "volatile ", 9))
			s += 9;
		else
			break;
	}
	snprintf(out, len, "%s", s);
	size_t n = strlen(out);
	while (n && out[n - 1] == ' ')
		out[--n] = 0;
}

static bool is_char_pointer(const char *bare)
{
	return !strcmp(bare, "char *") || !strcmp(bare, "unsigned char *") || !strcmp(bare, "const char *") ||
	       !strcmp(bare, "const unsigned char *");
}

static enum arg_type auto_from_field(const struct tp_field *f, const struct arg *a, char *why, size_t len)
{
	char bare[128];
	bare_ctype(f->ctype, bare, sizeof(bare));
	if (f->rel_loc) {
		snprintf(why, len, "a __rel_loc field, which tpc does not read");
		return AT_AUTO;
	}
	if (f->data_loc) {
		snprintf(why, len, "a string stored in the record (__data_loc): write type data_loc");
		return AT_AUTO;
	}
	if (f->is_array)
		return AT_CONST_BUF;
	if (f->is_pointer) {
		if (is_char_pointer(bare) && a->size_arg_index)
			return AT_CHAR_BUF;
		if (is_char_pointer(bare))
			snprintf(why, len, "a buffer: auto reads it as char_buf only with a sizeArgIndex (Tetragon: no "
					   "metadata field for buffer)");
		else
			snprintf(why, len, "a pointer: write the type (uint64 for its value)");
		return AT_AUTO;
	}
	if (!strcmp(bare, "size_t"))
		return AT_SIZE_T;
	for (int i = 0; int_spellings[i]; i++)
		if (!strcmp(bare, int_spellings[i]) && (f->size == 4 || f->size == 8))
			return f->size == 4 ? (f->is_signed ? AT_INT : AT_UINT32) : (f->is_signed ? AT_INT64 : AT_UINT64);
	snprintf(why, len,
		 "%d bytes of %s: auto reads int, long and their unsigned forms of 4 or 8 bytes, size_t, char * "
		 "buffers and arrays; write the type (int32 for a 4-byte number)",
		 f->size, f->ctype);
	return AT_AUTO;
}

/* ---- from the kernel BTF ---- */

static enum arg_type int_of_size(int size, bool is_signed)
{
	switch (size) {
	case 1: return is_signed ? AT_INT8 : AT_UINT8;
	case 2: return is_signed ? AT_INT16 : AT_UINT16;
	case 4: return is_signed ? AT_INT : AT_UINT32;
	case 8: return is_signed ? AT_INT64 : AT_UINT64;
	default: return AT_AUTO;
	}
}

/* The arg type that reads a pointer to kernel struct `name` (file, path,
 * ...), or AT_AUTO: the table's kstruct column, char_iovec aside (an
 * iovec pointer needs a count). */
static enum arg_type type_of_struct(const char *name)
{
	if (!name || !*name)
		return AT_AUTO;
	for (int t = 0; t < AT_COUNT; t++)
		if (arg_types[t].kstruct && !strcmp(arg_types[t].kstruct, name) && arg_types[t].cls != AC_IOVEC)
			return (enum arg_type)t;
	return AT_AUTO;
}

enum arg_type auto_from_ktype(const struct ktype *k, char *why, size_t len)
{
	switch (k->kind) {
	case KT_INT: {
		if (k->size == 8 && !strcmp(k->tname, "size_t"))
			return AT_SIZE_T;
		enum arg_type t = int_of_size(k->size, k->is_signed);
		if (t == AT_AUTO)
			snprintf(why, len, "a %d-byte integer (%s)", k->size, k->text);
		return t;
	}
	case KT_PTR: {
		if (k->pointee == KT_INT && k->pointee_char)
			return AT_STRING;
		enum arg_type t = k->pointee == KT_STRUCT ? type_of_struct(k->name) : AT_AUTO;
		if (t == AT_AUTO && *k->tname)
			t = type_of_struct(k->tname);
		if (t == AT_AUTO)
			snprintf(why, len, "%s, which no arg type reads: write the type (uint64 for the pointer's value)",
				 k->text);
		return t;
	}
	case KT_STRUCT: snprintf(why, len, "%s passed by value", k->text); return AT_AUTO;
	case KT_VOID: snprintf(why, len, "void"); return AT_AUTO;
	case KT_UNKNOWN:
	case KT_OTHER: snprintf(why, len, "%s", k->text); return AT_AUTO;
	}
	return AT_AUTO;
}

/* ---- resolve and data ---- */

static void set_type_as(struct arg *a, enum arg_type t, const char *why)
{
	a->type = t;
	free(a->type_name);
	a->type_name = xasprintf("%s (%s)", arg_types[t].name, why);
}

static void set_type(struct arg *a, enum arg_type t)
{
	set_type_as(a, t, "auto");
}

static struct pos type_pos(const struct arg *a)
{
	return a->type_pos.line ? a->type_pos : a->pos;
}

static struct pos resolve_elem_pos(const struct arg *a, int off)
{
	struct pos p = a->resolve_pos;
	if (a->resolve_col)
		p.col = a->resolve_col + off;
	return p;
}

/* The Tetragon type a path's end is named like, or AT_AUTO: ints named
 * int, long and unsigned long, enums by size, structs an arg type reads. */
static enum arg_type named_like(const struct ktype *final, const struct ktype *value, bool is_enum)
{
	if (final->kind == KT_INT) {
		if (is_enum)
			return int_of_size(final->size, final->is_signed);
		if (!strcmp(final->text, "int"))
			return AT_INT;
		if (!strcmp(final->text, "long int"))
			return AT_INT64;
		if (!strcmp(final->text, "long unsigned int"))
			return AT_UINT64;
		return AT_AUTO;
	}
	if (value->kind == KT_PTR && value->pointee == KT_STRUCT)
		return type_of_struct(value->name);
	return AT_AUTO;
}

/* The value a path ends with, as a ktype: the final member's type, or a
 * pointer to it when its address is the value (a struct, an array). */
static void value_ktype(const struct btf *btf, const struct access *acc, struct ktype *final, struct ktype *value)
{
	kbtf_describe(btf, acc->final_id, final);
	*value = *final;
	if (acc->segs[acc->nsegs - 1].end != ACC_ADDRESS)
		return;
	memset(value, 0, sizeof(*value));
	value->kind = KT_PTR;
	value->size = 8;
	if (final->kind == KT_STRUCT) {
		value->pointee = KT_STRUCT;
		snprintf(value->name, sizeof(value->name), "%s", final->name);
		snprintf(value->tname, sizeof(value->tname), "%s", final->tname);
		snprintf(value->text, sizeof(value->text), "the address of %.70s", final->text);
		return;
	}
	/* an array: a pointer to its elements */
	value->pointee = KT_OTHER;
	if (strstr(acc->final_elem, "char")) {
		value->pointee = KT_INT;
		value->pointee_char = true;
	} else if (acc->final_elem[0]) {
		value->pointee = KT_INT;
	}
	snprintf(value->text, sizeof(value->text), "the address of %.40s[] (%.30s)",
		 acc->final_elem[0] ? acc->final_elem : "?", acc->final_text);
}

/* Walks a->resolve from BTF type `from` (a pointer; or, with pointee, a
 * pointer to type `from`) and types the arg by where the path ends. */
static void type_walk(const struct policy *p, struct arg *a, struct btf *btf, unsigned int from, bool pointee,
		      const char *what, struct diags *d)
{
	struct resolve_elem e[ACCESS_MAX];
	char why[320];
	int bad = 0;
	int n = resolve_parse(a->resolve, e, ACCESS_MAX, why, sizeof(why), &bad);
	if (n < 0) {
		diag_add(d, p->file, resolve_elem_pos(a, bad), SEV_ERROR, "resolve", "resolve '%s': %s", a->resolve, why);
		return;
	}
	struct access *acc = xcalloc(1, sizeof(*acc));
	if (!kbtf_walk(btf, from, pointee, e, n, acc, why, sizeof(why), &bad)) {
		diag_add(d, p->file, resolve_elem_pos(a, bad >= 0 && bad < n ? e[bad].off : 0), SEV_ERROR, "resolve",
			 "resolve '%s' from %s: %s", a->resolve, what, why);
		free(acc);
		return;
	}
	acc->source = a->access ? a->access->source : a->source;
	free(a->access);
	a->access = acc;
	struct ktype final, value;
	value_ktype(btf, acc, &final, &value);
	enum arg_type named = named_like(&final, &value, !strncmp(final.text, "enum ", 5));
	if (a->type == AT_AUTO) {
		enum arg_type ty = named;
		if (ty == AT_AUTO && value.kind == KT_PTR && value.pointee == KT_INT && value.pointee_char)
			ty = AT_STRING; /* the address of a char array: comm */
		if (ty == AT_AUTO)
			ty = auto_from_ktype(&value, why, sizeof(why));
		if (ty != AT_AUTO)
			set_type(a, ty);
		else
			diag_add(d, p->file, type_pos(a), SEV_ERROR, "auto-type", "type auto: resolve '%s' ends on %s", a->resolve,
				 why);
		return;
	}
	if (named != AT_AUTO && named != a->type) { /* as Tetragon: the path's end names the type */
		set_type_as(a, named, "resolve");
		return;
	}
	if (!arg_type_known(a->type))
		return;
	char buf[128];
	const char *conflict = check_type_conflict(a, &value, buf, sizeof(buf));
	if (conflict)
		diag_add(d, p->file, type_pos(a), SEV_ERROR, "btf-arg-type", "arg is declared %s but resolve '%s' ends on %s (%s)",
			 a->type_name, a->resolve, value.text, conflict);
}



/* pt_regs registers by name: the member of struct pt_regs (x86_64) or
 * user_pt_regs (arm64) and the bytes a name reads. */
struct reg_name {
	const char *name, *member;
	int size;
};
static const struct reg_name x86_regs[] = {
	{"rip", "ip", 8}, {"rax", "ax", 8}, {"rbx", "bx", 8}, {"rcx", "cx", 8}, {"rdx", "dx", 8}, {"rsi", "si", 8},
	{"rdi", "di", 8}, {"rbp", "bp", 8}, {"rsp", "sp", 8}, {"eax", "ax", 4}, {"ebx", "bx", 4}, {"ecx", "cx", 4},
	{"edx", "dx", 4}, {"esi", "si", 4}, {"edi", "di", 4}, {"ebp", "bp", 4}, {"esp", "sp", 4}, {"ax", "ax", 2},
	{"bx", "bx", 2}, {"cx", "cx", 2}, {"dx", "dx", 2}, {"si", "si", 2}, {"di", "di", 2}, {"bp", "bp", 2},
	{"sp", "sp", 2}, {"al", "ax", 1}, {"bl", "bx", 1}, {"cl", "cx", 1}, {"dl", "dx", 1}, {"sil", "si", 1},
	{"dil", "di", 1}, {"bpl", "bp", 1}, {"spl", "sp", 1}, {"r8", "r8", 8}, {"r9", "r9", 8}, {"r10", "r10", 8},
	{"r11", "r11", 8}, {"r12", "r12", 8}, {"r13", "r13", 8}, {"r14", "r14", 8}, {"r15", "r15", 8},
	{"r8d", "r8", 4}, {"r9d", "r9", 4}, {"r10d", "r10", 4}, {"r11d", "r11", 4}, {"r12d", "r12", 4},
	{"r13d", "r13", 4}, {"r14d", "r14", 4}, {"r15d", "r15", 4}, {"r8w", "r8", 2}, {"r9w", "r9", 2},
	{"r10w", "r10", 2}, {"r11w", "r11", 2}, {"r12w", "r12", 2}, {"r13w", "r13", 2}, {"r14w", "r14", 2},
	{"r15w", "r15", 2}, {"r8b", "r8", 1}, {"r9b", "r9", 1}, {"r10b", "r10", 1}, {"r11b", "r11", 1},
	{"r12b", "r12", 1}, {"r13b", "r13", 1}, {"r14b", "r14", 1}, {"r15b", "r15", 1}, {NULL, NULL, 0},
};

/* arm64: x0-x30 (8 bytes), w0-w30 (4), sp, pc; into regs[N], sp, pc */
static bool arm64_reg(const char *name, char *member, size_t len, int *size)
{
	if (!strcmp(name, "sp") || !strcmp(name, "pc")) {
		snprintf(member, len, "%s", name);
		*size = 8;
		return true;
	}
	if ((name[0] != 'x' && name[0] != 'w') || !name[1])
		return false;
	int n = 0;
	for (const char *p = name + 1; *p; p++) {
		if (*p < '0' || *p > '9' || n > 30)
			return false;
		n = n * 10 + (*p - '0');
	}
	if (n > 30 || (name[1] == '0' && name[2]))
		return false;
	snprintf(member, len, "regs[%d]", n);
	*size = name[0] == 'x' ? 8 : 4;
	return true;
}

/* The data entry's value: a register, or the current task walked. */
static void type_data(const struct policy *p, const struct hook *h, struct arg *a, const struct target *t,
		      struct diags *d)
{
	if (a->source == SRC_NONE) {
		diag_add(d, p->file, a->pos, SEV_ERROR, "resolve",
			 "data argument has wrong source: a data entry needs source current_task or pt_regs");
		return;
	}
	if (a->source == SRC_OTHER)
		return; /* parse reported it */
	if (!a->resolve) {
		diag_add(d, p->file, a->source_pos, SEV_ERROR, "resolve",
			 "data argument missing 'resolve' setup: a %s data entry needs resolve (%s)", a->source_name,
			 a->source == SRC_PT_REGS ? "a register name" : "a path into struct task_struct");
		return;
	}
	if (a->source == SRC_PT_REGS && hook_reports_at_return(h)) {
		diag_add(d, p->file, a->source_pos, SEV_ERROR, "resolve",
			 "pt_regs data on a hook that reports at return: the registers there are the return's, not "
			 "the call's");
		return;
	}
	if (a->source == SRC_PT_REGS && h->kind == HOOK_FENTRY && !h->syscall) {
		diag_add(d, p->file, a->source_pos, SEV_ERROR, "resolve",
			 "pt_regs data on a fentry of a kernel function: a trampoline has no register frame (on a "
			 "syscall: true fentry the caller's registers are read)");
		return;
	}
	if (a->source == SRC_PT_REGS) {
		char member[16] = "";
		int size = 0;
		bool ok = false;
		if (!strcmp(t->arch, "arm64")) {
			ok = arm64_reg(a->resolve, member, sizeof(member), &size);
		} else {
			for (int i = 0; x86_regs[i].name && !ok; i++)
				if (!strcmp(x86_regs[i].name, a->resolve)) {
					snprintf(member, sizeof(member), "%s", x86_regs[i].member);
					size = x86_regs[i].size;
					ok = true;
				}
		}
		if (!ok) {
			const char *names[80];
			int n = 0;
			for (int i = 0; x86_regs[i].name && n < 79; i++)
				names[n++] = x86_regs[i].name;
			names[n] = NULL;
			char dym[128];
			diag_add(d, p->file, a->resolve_pos, SEV_ERROR, "resolve", "'%s' is not a register of %s pt_regs%s",
				 a->resolve, strcmp(t->arch, "arm64") ? "x86_64" : "arm64",
				 strcmp(t->arch, "arm64") ? did_you_mean(a->resolve, names, "", dym, sizeof(dym)) : " (x0-x30, w0-w30, sp, pc)");
			return;
		}
		a->access = xcalloc(1, sizeof(*a->access));
		a->access->source = SRC_PT_REGS;
		snprintf(a->access->reg, sizeof(a->access->reg), "%s", member);
		a->access->reg_size = size;
		snprintf(a->access->final_text, sizeof(a->access->final_text), "register %s", a->resolve);
		if (a->type == AT_AUTO)
			set_type(a, int_of_size(size, false));
		return;
	}
	/* current_task: a path into struct task_struct */
	struct btf *btf = kbtf_for_target(t);
	unsigned int task = btf ? kbtf_find_struct(btf, "task_struct") : 0;
	if (!task) {
		diag_add(d, p->file, a->resolve_pos, SEV_ERROR, "resolve",
			 "resolve of current_task needs the kernel BTF (struct task_struct)%s",
			 t->no_btf ? ", which --no-btf turns off" : "");
		return;
	}
	type_walk(p, a, btf, task, true, "current_task (struct task_struct)", d);
}

/* ---- the stage ---- */

static void type_tracepoint_arg(const struct policy *p, const struct hook *h, struct arg *a,
				const struct target *t, struct diags *d)
{
	const struct tp_format *fmt = h->subsystem && h->event ? tp_format_get(t->tracefs, h->subsystem, h->event) : NULL;
	if (!fmt) {
		diag_add(d, p->file, type_pos(a), SEV_ERROR, "auto-type",
			 "type auto: no format file for tracepoint %s/%s to derive arg %d's type from; write the type",
			 h->subsystem ? h->subsystem : "?", h->event ? h->event : "?", a->index);
		return;
	}
	if (a->index < 0 || a->index >= fmt->nfields)
		return; /* tp-field-index */
	char why[256];
	const struct tp_field *f = &fmt->fields[a->index];
	enum arg_type ty = auto_from_field(f, a, why, sizeof(why));
	if (ty != AT_AUTO)
		set_type(a, ty);
	else
		diag_add(d, p->file, type_pos(a), SEV_ERROR, "auto-type", "type auto: field %d '%s %s' of %s/%s is %s",
			 a->index, f->ctype, f->name, h->subsystem, h->event, why);
}

static void type_btf_arg(const struct policy *p, const struct hook *h, struct arg *a, bool is_return,
			 const struct target *t, struct diags *d)
{
	struct kproto proto;
	char *what = hook_describe(h, -1);
	if (!hook_proto(h, t, &proto)) {
		diag_add(d, p->file, type_pos(a), SEV_ERROR, "auto-type",
			 "type auto needs the prototype of %s from the kernel BTF, which tpc %s; write the type%s", what,
			 t->no_btf ? "was told not to read (--no-btf)" : "cannot find",
			 h->call_not_found && !t->no_btf ? " (ignore.callNotFound skips a missing hook on a node, but "
							  "its args are typed when compiling)"
							: "");
		free(what);
		return;
	}
	const struct ktype *k = is_return ? &proto.ret : a->index >= 0 && a->index < proto.n ? &proto.p[a->index] : NULL;
	if (k) {
		char why[256];
		enum arg_type ty = auto_from_ktype(k, why, sizeof(why));
		if (ty != AT_AUTO)
			set_type(a, ty);
		else if (is_return)
			diag_add(d, p->file, type_pos(a), SEV_ERROR, "auto-type", "type auto: %s returns %s, from %s", what,
				 why, proto.origin);
		else
			diag_add(d, p->file, type_pos(a), SEV_ERROR, "auto-type", "type auto: parameter %d '%s' of %s is %s, from %s",
				 a->index, proto.names[a->index], what, why, proto.origin);
	} /* else beyond the prototype: btf-arg-index */
	free(what);
}

/* An arg with resolve (or btfType): the walk from its parameter's BTF
 * type, or from btfType. false when it is ignored here (a tracepoint's, a
 * btfType alone) and the arg is typed as any other. */
static bool type_resolve(const struct policy *p, const struct hook *h, struct arg *a, const struct target *t,
			 struct diags *d)
{
	struct pos at = a->resolve ? a->resolve_pos : a->btf_type_pos;
	if (h->kind == HOOK_TRACEPOINT) {
		diag_add(d, p->file, at, SEV_WARNING, "resolve",
			 "%s is ignored on a tracepoint, as in Tetragon (it reads the record's field); raw: true walks "
			 "the TP_PROTO parameters",
			 a->resolve ? "resolve" : "btfType");
		return false;
	}
	if (!a->resolve) {
		diag_add(d, p->file, at, SEV_WARNING, "resolve", "btfType without resolve does nothing: it names the struct "
								  "a resolve path starts from");
		return false;
	}
	struct btf *btf = kbtf_for_target(t);
	if (!btf) {
		diag_add(d, p->file, at, SEV_ERROR, "resolve", "resolve is walked in the kernel BTF, which tpc %s",
			 t->no_btf ? "was told not to read (--no-btf)" : "cannot read");
		return true;
	}
	char what[160];
	if (a->btf_type) {
		unsigned int sid = kbtf_find_struct(btf, a->btf_type);
		if (!sid) {
			diag_add(d, p->file, a->btf_type_pos, SEV_ERROR, "resolve",
				 "btfType '%s': the kernel BTF has no struct or union of that name", a->btf_type);
			return true;
		}
		snprintf(what, sizeof(what), "btfType %s", a->btf_type);
		type_walk(p, a, btf, sid, true, what, d);
		return true;
	}
	struct kproto proto;
	char *hd = hook_describe(h, -1);
	if (!hook_proto(h, t, &proto)) {
		if (h->call_not_found) /* the call's absence was only a warning */
			diag_add(d, p->file, at, SEV_ERROR, "resolve",
				 "resolve needs the prototype of %s from the kernel BTF, which does not have it "
				 "(ignore.callNotFound skips a missing hook on a node, but its resolve paths are walked "
				 "when compiling): name the struct it points at with btfType",
				 hd);
		free(hd);
		return true; /* btf-no-call, no-tracepoint */
	}
	if (a->index < 0 || a->index >= proto.n) {
		free(hd);
		return true; /* btf-arg-index */
	}
	if (!proto.p[a->index].btf_id) {
		diag_add(d, p->file, at, SEV_ERROR, "resolve",
			 "resolve needs the BTF type of %s's parameter %d, and its prototype comes from %s: name the struct "
			 "it points at with btfType",
			 hd, a->index, proto.origin);
		free(hd);
		return true;
	}
	snprintf(what, sizeof(what), "parameter %d '%s' (%s) of %s", a->index, proto.names[a->index], proto.p[a->index].text,
		 hd);
	free(hd);
	type_walk(p, a, btf, proto.p[a->index].btf_id, false, what, d);
	return true;
}

static void type_arg(const struct policy *p, const struct hook *h, struct arg *a, bool is_return,
		     const struct target *t, struct diags *d)
{
	if (a->is_data) {
		type_data(p, h, a, t, d);
		return;
	}
	if (a->source != SRC_NONE)
		diag_add(d, p->file, a->source_pos, SEV_ERROR, "resolve",
			 "source applies to data entries only (an arg reads the hook's parameter %d)", a->index);
	if (a->btf_type_module)
		diag_add(d, p->file, a->btf_type_module_pos, SEV_ERROR, "unsupported",
			 "unsupported: btfTypeModule (tpc walks the types of vmlinux BTF only: a module's types would "
			 "need its split BTF when compiling and libbpf's module CO-RE when loading)");
	if (!is_return && (a->resolve || a->btf_type) && type_resolve(p, h, a, t, d))
		return;
	if (a->type != AT_AUTO)
		return;
	switch (h->kind) {
	case HOOK_TRACEPOINT: type_tracepoint_arg(p, h, a, t, d); return;
	case HOOK_KPROBE:
	case HOOK_RAW_TRACEPOINT:
	case HOOK_LSM:
	case HOOK_FENTRY: type_btf_arg(p, h, a, is_return, t, d); return;
	case HOOK_UPROBE:
	case HOOK_USDT:
		diag_add(d, p->file, type_pos(a), SEV_ERROR, "auto-type",
			 "type auto on a %s: a user-space function has no description tpc can read its types from; "
			 "name the type (int, uint64, string, char_buf, ...)",
			 hook_kind_name(h->kind));
		return;
	case HOOK_KIND_COUNT: return;
	}
}

void type_policy(struct policy *p, const struct target *t, struct diags *d)
{
	struct target def = *t;
	if (!def.tracefs)
		def.tracefs = "/sys/kernel/tracing";
	for (int i = 0; i < p->nhooks; i++) {
		struct hook *h = &p->hooks[i];
		for (int j = 0; j < h->nargs; j++)
			type_arg(p, h, &h->args[j], false, &def, d);
		if (h->has_return_arg)
			type_arg(p, h, &h->return_arg, true, &def, d);
	}
}
