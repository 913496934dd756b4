/*
 * settings.c: the settings of a real run, from the command line, the
 * configuration file, the environment, the scripts' cache or the default
 * (settings.h says in which order).
 */
#include <errno.h>
#include <glib.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jsonv.h"
#include "settings.h"

static const char *const virt_types[] = {"kvm", "qemu", NULL};
static const char *const config_keys[] = {"virt_type", "guest_kernel",
                                          "guest_initrd", "migration_uri",
                                          NULL};

/* Set v (still unset) to value from 'from'; both copied. */
static void
take(settings_value *v, const char *value, const char *from)
{
    if (v->value || !value || !*value)
        return;
    v->value = g_strdup(value);
    v->from = g_strdup(from);
}

/* Read the configuration file (see settings.h) into st; 0 or -1. */
static int
read_config(settings *st, char **error)
{
    const char *named = getenv("HVD_CONFIG");
    bool by_env = named && *named;
    const char *path = by_env ? named : SETTINGS_DEFAULT_CONFIG;
    g_autofree char *text = NULL;
    g_autofree char *vt = NULL, *kernel = NULL, *initrd = NULL;
    g_autofree char *mig = NULL;
    json_t *root = NULL;
    struct stat sb;
    jv_ctx c;
    int ret = -1;

    /* the default file is optional; one named by $HVD_CONFIG is not */
    if (!by_env && stat(path, &sb) < 0 && errno == ENOENT)
        return 0;
    if (jv_read_file(path, 1 << 20, &text, error) < 0) {
        if (by_env) {
            char *e = g_strdup_printf("%s (the configuration file named by "
                                      "HVD_CONFIG)", *error);
            g_free(*error);
            *error = e;
        }
        return -1;
    }
    jv_init(&c, text, path);
    if (!(root = jv_parse(&c)) || jv_check_keys(&c, root, config_keys) < 0 ||
        jv_get_choice(&c, root, "virt_type", false, virt_types, &vt) < 0 ||
        jv_get_string(&c, root, "guest_kernel", false, JV_ABSPATH, NULL,
                      &kernel) < 0 ||
        jv_get_string(&c, root, "migration_uri", false, JV_NONEMPTY, NULL,
                      &mig) < 0 ||
        jv_get_string(&c, root, "guest_initrd", false, JV_ABSPATH, NULL,
                      &initrd) < 0) {
        *error = jv_take_error(&c);
        goto out;
    }
    take(&st->virt_type, vt, path);
    take(&st->guest_kernel, kernel, path);
    take(&st->guest_initrd, initrd, path);
    take(&st->migration_uri, mig, path);
    ret = 0;

out:
    json_decref(root);
    jv_clear(&c);
    return ret;
}

/* The cache folder of the project's scripts (g_free). */
static char *
cache_dir(void)
{
    const char *c = getenv("HVD_CACHE");

    return g_strdup(c && *c ? c : SETTINGS_DEFAULT_CACHE);
}

/*
 * What ci/guest-probe.sh and ci/tiny-guest.sh left in the cache: the
 * virt-type file ("kvm" or "qemu") and tiny-guest.env (shell-quoted
 * HVD_GUEST_KERNEL=... and HVD_GUEST_INITRD=... lines). Anything else
 * there is passed over and said in *note.
 */
static void
read_cache(settings *st, char **note)
{
    g_autofree char *dir = cache_dir();
    g_autofree char *vfile = g_build_filename(dir, "virt-type", NULL);
    g_autofree char *efile =
        g_build_filename(dir, "tiny-guest", "tiny-guest.env", NULL);
    g_autofree char *text = NULL;
    GString *notes = g_string_new(NULL);

    if (!st->virt_type.value &&
        g_file_get_contents(vfile, &text, NULL, NULL)) {
        g_strstrip(text);
        if (g_strv_contains(virt_types, text))
            take(&st->virt_type, text, vfile);
        else
            g_string_append_printf(notes, "%s holds neither kvm nor qemu: "
                                   "passed over; ", vfile);
    }
    g_clear_pointer(&text, g_free);
    if ((!st->guest_kernel.value || !st->guest_initrd.value) &&
        g_file_get_contents(efile, &text, NULL, NULL)) {
        char **lines = g_strsplit(text, "\n", -1);

        for (char **l = lines; *l; l++) {
            char *eq = strchr(*l, '='), *value;
            settings_value *v;

            if (!eq)
                continue;
            *eq = '\0';
            if (strcmp(*l, "HVD_GUEST_KERNEL") == 0)
                v = &st->guest_kernel;
            else if (strcmp(*l, "HVD_GUEST_INITRD") == 0)
                v = &st->guest_initrd;
            else
                continue;
            value = g_shell_unquote(eq + 1, NULL);
            if (value && g_file_test(value, G_FILE_TEST_IS_REGULAR))
                take(v, value, efile);
            else
                g_string_append_printf(notes, "%s: %s names no file: passed "
                                       "over; ", efile, *l);
            g_free(value);
        }
        g_strfreev(lines);
    }
    if (notes->len > 2)
        g_string_truncate(notes, notes->len - 2);
    *note = g_string_free(notes, notes->len == 0);
}

/* Make a path setting absolute and check that it names a file; 0 or -1. */
static int
check_file(settings_value *v, const char *what, char **error)
{
    char *abs;

    if (!v->value)
        return 0;
    abs = g_canonicalize_filename(v->value, NULL);
    g_free(v->value);
    v->value = abs;
    if (!g_file_test(abs, G_FILE_TEST_IS_REGULAR)) {
        *error = g_strdup_printf("the guest %s %s (from %s) is not a file",
                                 what, abs, v->from);
        return -1;
    }
    return 0;
}

int
settings_resolve(settings *st, const char *virt_type,
                 const char *guest_kernel, const char *guest_initrd,
                 const char *migration_uri, char **note, char **error)
{
    *note = NULL;
    *error = NULL;
    memset(st, 0, sizeof(*st));
    take(&st->virt_type, virt_type, "--virt-type");
    take(&st->guest_kernel, guest_kernel, "--guest-kernel");
    take(&st->guest_initrd, guest_initrd, "--guest-initrd");
    take(&st->migration_uri, migration_uri, "--migration-uri");
    if (st->virt_type.value && !g_strv_contains(virt_types, virt_type)) {
        *error = g_strdup_printf("--virt-type is kvm or qemu, not '%s'",
                                 virt_type);
        return -1;
    }
    if (read_config(st, error) < 0)
        return -1;
    take(&st->virt_type, getenv("HVD_VIRT_TYPE"), "HVD_VIRT_TYPE");
    take(&st->guest_kernel, getenv("HVD_GUEST_KERNEL"), "HVD_GUEST_KERNEL");
    take(&st->guest_initrd, getenv("HVD_GUEST_INITRD"), "HVD_GUEST_INITRD");
    take(&st->migration_uri, getenv("HVD_MIGRATION_URI"),
         "HVD_MIGRATION_URI");
    if (st->virt_type.value && !g_strv_contains(virt_types,
                                                st->virt_type.value)) {
        *error = g_strdup_printf("HVD_VIRT_TYPE is kvm or qemu, not '%s'",
                                 st->virt_type.value);
        return -1;
    }
    read_cache(st, note);
    if (check_file(&st->guest_kernel, "kernel", error) < 0 ||
        check_file(&st->guest_initrd, "initramfs", error) < 0)
        return -1;
    if (st->guest_initrd.value && !st->guest_kernel.value) {
        *error = g_strdup_printf("a guest initramfs (from %s) needs a guest "
                                 "kernel: give --guest-kernel",
                                 st->guest_initrd.from);
        return -1;
    }
    return 0;
}

void
settings_clear(settings *st)
{
    settings_value *all[] = {&st->virt_type, &st->guest_kernel,
                             &st->guest_initrd, &st->migration_uri};

    for (size_t i = 0; i < G_N_ELEMENTS(all); i++) {
        g_free(all[i]->value);
        g_free(all[i]->from);
    }
    memset(st, 0, sizeof(*st));
}
