#ifndef NOTELY_CNCURSES_SHIM_H
#define NOTELY_CNCURSES_SHIM_H

#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <stdio.h>
#include <wchar.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <ncursesw/ncurses.h>

// Swift cannot read ncurses' global variables or call its macros and varargs functions; these
// small inline functions expose exactly what the dashboard backend needs.

static inline WINDOW *notely_stdscr(void) { return stdscr; }
static inline int notely_lines(void) { return LINES; }
static inline int notely_cols(void) { return COLS; }
static inline int notely_key_resize(void) { return KEY_RESIZE; }
static inline int notely_getmaxy(WINDOW *window) { return getmaxy(window); }
static inline int notely_getmaxx(WINDOW *window) { return getmaxx(window); }
static inline int notely_attr_bold(void) { return (int)A_BOLD; }
static inline int notely_attr_reverse(void) { return (int)A_REVERSE; }
static inline int notely_attr_dim(void) { return (int)A_DIM; }

/// Draws one string of wide characters at a position with attributes and a colour pair.
static inline int notely_put(int y, int x, const wchar_t *text, int length, int attributes, int pair) {
    attr_set((attr_t)attributes, (short)pair, NULL);
    int result = mvaddnwstr(y, x, text, length);
    attr_set(A_NORMAL, 0, NULL);
    return result;
}

/// Reads one key or character (wide-character aware). Returns ncurses' status: OK for a
/// character in *value, KEY_CODE_YES for a function key code in *value, ERR on timeout.
static inline int notely_get_wch(unsigned int *value) {
    wint_t ch = 0;
    int status = wget_wch(stdscr, &ch);
    *value = (unsigned int)ch;
    return status;
}

static inline int notely_key_code_yes(void) { return KEY_CODE_YES; }
static inline int notely_ok(void) { return OK; }
static inline int notely_attr_underline(void) { return (int)A_UNDERLINE; }

/// Restores the terminal if the process crashes while the dashboard owns it: on a fatal
/// signal, put back the saved terminal modes and leave the alternate screen (only
/// async-signal-safe calls), then hand the signal to whoever handled it before (the Swift
/// runtime's backtracer), so the crash is still reported.
struct notely_crash_state {
    struct termios saved_termios;
    int termios_saved;
    struct sigaction previous_actions[32];
};

/// One state for the process (a function-local static: file-scope statics in a header are
/// not emitted for Swift callers).
static inline struct notely_crash_state *notely_crash_state(void) {
    static struct notely_crash_state state;
    return &state;
}

static inline void notely_crash_restore(int signal_number) {
    struct notely_crash_state *state = notely_crash_state();
    if (state->termios_saved) tcsetattr(STDIN_FILENO, TCSANOW, &state->saved_termios);
    static const char reset[] = "\033[0m\033[?25h\033[?1049l\r\n";
    ssize_t ignored = write(STDOUT_FILENO, reset, sizeof(reset) - 1);
    (void)ignored;
    sigaction(signal_number, &state->previous_actions[signal_number], NULL);
    raise(signal_number);
}

static inline void notely_install_crash_restore(void) {
    struct notely_crash_state *state = notely_crash_state();
    if (tcgetattr(STDIN_FILENO, &state->saved_termios) == 0) state->termios_saved = 1;
    int signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGABRT, SIGTRAP, SIGFPE };
    for (unsigned i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
        struct sigaction action;
        memset(&action, 0, sizeof(action));
        action.sa_handler = notely_crash_restore;
        sigemptyset(&action.sa_mask);
        sigaction(signals[i], &action, &state->previous_actions[signals[i]]);
    }
}

/// Terminal columns of a Unicode scalar, as ncurses itself counts them (wcwidth needs
/// _XOPEN_SOURCE, which Swift's libc module does not define, so it is declared here).
extern int wcwidth(wchar_t c);
static inline int notely_wcwidth(unsigned int scalar) { return wcwidth((wchar_t)scalar); }

/// Opens a screen on a given terminal type and file pair, for tests on a pseudo-terminal.
static inline SCREEN *notely_newterm(const char *type, FILE *out, FILE *in) { return newterm(type, out, in); }

/// Opens a new pseudo-terminal pair for tests: returns the master fd (or -1) and writes the
/// slave's number, so the slave is `/dev/pts/<number>`. Uses ioctls for the same reason.
static inline int notely_open_pty(int *slave_number) {
    int master = open("/dev/ptmx", O_RDWR | O_NOCTTY);
    if (master < 0) return -1;
    int unlock = 0;
    if (ioctl(master, TIOCSPTLCK, &unlock) != 0 || ioctl(master, TIOCGPTN, slave_number) != 0) {
        close(master);
        return -1;
    }
    return master;
}

/// Sets a terminal's size in rows and columns (ioctl is variadic, so Swift cannot call it).
static inline int notely_set_winsize(int fd, int rows, int cols) {
    struct winsize size = { (unsigned short)rows, (unsigned short)cols, 0, 0 };
    return ioctl(fd, TIOCSWINSZ, &size);
}

#endif
