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
#include <ncursesw/ncurses.h>

// Swift cannot read ncurses' global variables or call its macros and varargs functions; these
// small inline functions expose exactly what the dashboard backend needs.

static inline WINDOW *notely_stdscr(void) { return stdscr; }
static inline int notely_lines(void) { return LINES; }
static inline int notely_cols(void) { return COLS; }
static inline int notely_colors(void) { return COLORS; }
static inline int notely_color_pair(int pair) { return (int)COLOR_PAIR(pair); }
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
