/*
 * outfile.h: the files hvd writes because the user named them (--trace,
 * --junit). Written in place at the path given: a new regular file, or an
 * existing regular file truncated and rewritten. Anything else at that
 * path — a device, a FIFO, a socket, a symbolic link — is refused and left
 * as it was: never replaced by a rename, never written through a link.
 */
#ifndef HVD_OUTFILE_H
#define HVD_OUTFILE_H

#include <stddef.h>

/* What is at an output path today (outfile_check). */
typedef enum {
    OUTFILE_NEW,     /* nothing: a file would be created */
    OUTFILE_REGULAR, /* a regular file: it would be truncated and rewritten */
    OUTFILE_FOLDER,  /* a folder (or a symbolic link to one) */
} outfile_kind;

/*
 * Look at 'path' (borrowed) before anything is run, so that a bad output
 * path is refused early: returns its outfile_kind, or -1 with *error
 * (g_free) when it is something hvd will not write (a device, a FIFO, a
 * socket, a symbolic link to anything but a folder) or cannot be looked at
 * (e.g. a path under a regular file). 'what' names the file in messages
 * ("trace", "JUnit report"); messages read "cannot write WHAT PATH: why".
 */
int outfile_check(const char *path, const char *what, char **error);

/*
 * Write the 'len' bytes of 'data' to 'path' as described above. Returns 0
 * once every byte is written and the file closed; else -1 with *error
 * (g_free) saying why, with errno's text (a missing folder, no space, a
 * write refused); a file whose write failed part-way is left empty, never
 * holding part of its content. The path is looked at before it is opened
 * and the open file again before a byte is written, so a path swapped for
 * something else meanwhile is refused too.
 */
int outfile_write(const char *path, const char *what, const char *data,
                  size_t len, char **error);

#endif /* HVD_OUTFILE_H */
