/*
 * statesnap.engine.format._jsscan: where orjson's JSON text may differ from JavaScript's.
 *
 * orjson and JSON.stringify print the same bytes for a value except at two kinds of places:
 * floats orjson prints in another form (an integral float as `1.0`, an exponent where
 * JavaScript writes digits: `1e+16`, `2e-6`) and object keys that are array indexes (which
 * JavaScript lists first, in ascending order). `may_differ(text)` reads the text once, outside
 * strings only (a string's bytes are skipped with memchr), and says whether any such place is
 * there. It runs without the GIL, so the scan of one text runs beside other work.
 *
 * The text must be JSON as orjson prints it (compact or indented): every number token is
 * looked at, and a key is a string followed at once by a colon. Text it cannot follow (a
 * string that does not end) is taken to differ.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

static const unsigned long long MAX_ARRAY_INDEX = 4294967294ULL;

/* Whether a key's bytes are an array index: "0", or up to ten digits without a leading zero,
   at most 2^32 - 2. */
static int
is_array_index(const unsigned char *key, Py_ssize_t size)
{
    if (size < 1 || size > 10 || (size > 1 && key[0] == '0')) {
        return 0;
    }
    unsigned long long value = 0;
    for (Py_ssize_t i = 0; i < size; i++) {
        if (key[i] < '0' || key[i] > '9') {
            return 0;
        }
        value = value * 10 + (unsigned long long)(key[i] - '0');
    }
    return value <= MAX_ARRAY_INDEX;
}

/* The closing quote of the string whose content starts at `start`; NULL if there is none. */
static const unsigned char *
string_end(const unsigned char *start, const unsigned char *end)
{
    const unsigned char *quote = start;
    for (;;) {
        quote = memchr(quote, '"', (size_t)(end - quote));
        if (quote == NULL) {
            return NULL;
        }
        const unsigned char *escapes = quote;
        while (escapes > start && escapes[-1] == '\\') {
            escapes--;
        }
        if (((quote - escapes) & 1) == 0) {
            return quote;
        }
        quote++;
    }
}

static int
text_may_differ(const unsigned char *at, const unsigned char *end)
{
    while (at < end) {
        unsigned char byte = *at;
        if (byte == '"') {
            const unsigned char *content = at + 1;
            const unsigned char *quote = string_end(content, end);
            if (quote == NULL) {
                return 1;
            }
            if (quote + 1 < end && quote[1] == ':' && is_array_index(content, quote - content)) {
                return 1;
            }
            at = quote + 1;
        }
        else if (byte == '-' || (byte >= '0' && byte <= '9')) {
            at += byte == '-';
            while (at < end && *at >= '0' && *at <= '9') {
                at++;
            }
            if (at < end && *at == '.') {
                const unsigned char *fraction = ++at;
                while (at < end && *at >= '0' && *at <= '9') {
                    at++;
                }
                if (at - fraction == 1 && *fraction == '0') {
                    return 1;
                }
            }
            if (at < end && (*at == 'e' || *at == 'E')) {
                return 1;
            }
        }
        else {
            at++;
        }
    }
    return 0;
}

static PyObject *
may_differ(PyObject *module, PyObject *arg)
{
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0) {
        return NULL;
    }
    const unsigned char *text = (const unsigned char *)view.buf;
    int differs;
    Py_BEGIN_ALLOW_THREADS
    differs = text_may_differ(text, text + view.len);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&view);
    return PyBool_FromLong(differs);
}

static PyMethodDef methods[] = {
    {"may_differ", may_differ, METH_O,
     "may_differ(text, /)\n--\n\n"
     "Whether JSON text orjson printed may differ from what JavaScript prints for the same\n"
     "value: an integral float, a number with an exponent, or an array-index key. Runs\n"
     "without the GIL."},
    {NULL, NULL, 0, NULL},
};

static PyModuleDef_Slot slots[] = {
#ifdef Py_mod_multiple_interpreters
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
#endif
    {0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "statesnap.engine.format._jsscan",
    .m_doc = "Where orjson's JSON text may differ from JavaScript's, found without the GIL.",
    .m_size = 0,
    .m_methods = methods,
    .m_slots = slots,
};

PyMODINIT_FUNC
PyInit__jsscan(void)
{
    return PyModuleDef_Init(&module);
}
