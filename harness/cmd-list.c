/*
 * cmd-list.c: hvd list (a line per scenario), and the -k name match it
 * shares with run.
 */
#include <getopt.h>
#include <glib.h>
#include <stdio.h>

#include "cmd-priv.h"
#include "scn.h"

/* Does the scenario name match one of the -k globs (all when none)? */
bool
cmd_name_selected(const GPtrArray *patterns, const char *name)
{
    if (!patterns || patterns->len == 0)
        return true;
    for (guint i = 0; i < patterns->len; i++)
        if (g_pattern_match_simple(g_ptr_array_index(patterns, i), name))
            return true;
    return false;
}

/* text on one line: every run of white space made one space (g_free) */
static char *
one_line(const char *text)
{
    char **words = g_strsplit_set(text ? text : "", " \t\r\n", -1);
    GString *s = g_string_new(NULL);

    for (char **w = words; *w; w++) {
        if (!**w)
            continue;
        if (s->len)
            g_string_append_c(s, ' ');
        g_string_append(s, *w);
    }
    g_strfreev(words);
    return g_string_free(s, FALSE);
}

int
cmd_list(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    static char *default_paths[] = {"scenarios"};
    GPtrArray *patterns = g_ptr_array_new(), *files, *rows;
    char **paths = default_paths;
    int bad = 0, npaths = 1, o, width[3] = {0, 0, 0};

    optind = 1;
    while ((o = getopt_long(argc, argv, "k:h", longopts, NULL)) != -1) {
        switch (o) {
        case 'k':
            g_ptr_array_add(patterns, optarg);
            break;
        case 'h':
            cmd_usage_list(stdout);
            g_ptr_array_free(patterns, TRUE);
            return EXIT_PASS;
        default:
            cmd_usage_list(stderr);
            g_ptr_array_free(patterns, TRUE);
            return EXIT_BAD_INPUT;
        }
    }
    if (optind < argc) {
        paths = argv + optind;
        npaths = argc - optind;
    }
    files = walk_collect_all(paths, npaths, &bad);
    /* name, family, backends, description: columns as wide as needed */
    rows = g_ptr_array_new_full(files->len, (GDestroyNotify)g_strfreev);
    for (guint i = 0; i < files->len; i++) {
        const char *path = g_ptr_array_index(files, i);
        char *error = NULL, *dir, **row;
        scn *s = scn_load(path, &error);

        if (!s) {
            fprintf(stderr, "%s\n", error);
            g_free(error);
            bad++;
            continue;
        }
        if (cmd_name_selected(patterns, s->name)) {
            dir = g_path_get_dirname(path);
            row = g_new0(char *, 5);
            row[0] = g_strdup(s->name);
            row[1] = g_path_get_basename(dir);
            row[2] = s->backends ? g_strjoinv(",", s->backends)
                                 : g_strdup("-");
            row[3] = one_line(s->description);
            for (int k = 0; k < 3; k++)
                width[k] = MAX(width[k], (int)g_utf8_strlen(row[k], -1));
            g_ptr_array_add(rows, row);
            g_free(dir);
        }
        scn_free(s);
    }
    for (guint i = 0; i < rows->len; i++) {
        char **row = g_ptr_array_index(rows, i);

        for (int k = 0; k < 3; k++)
            printf("%s%*s  ", row[k],
                   width[k] - (int)g_utf8_strlen(row[k], -1), "");
        printf("%s\n", row[3]);
    }
    if (patterns->len && rows->len == 0 && !bad) {
        fprintf(stderr, "hvd list: no scenario is named as -k asks\n");
        bad++;
    }
    g_ptr_array_free(rows, TRUE);
    g_ptr_array_free(files, TRUE);
    g_ptr_array_free(patterns, TRUE);
    return bad ? EXIT_BAD_INPUT : EXIT_PASS;
}
