/*
 * settings.h: the settings of a real run (on libvirt) — the domain type
 * and the tiny guest's kernel and initramfs — and where each came from.
 *
 * Each setting is taken from the first place that has it:
 *   1. the command line (--virt-type, --guest-kernel, --guest-initrd,
 *      --migration-uri);
 *   2. the configuration file: $HVD_CONFIG if set (it must then exist),
 *      else /etc/hvd/hvd.json if it exists; a JSON object with the keys
 *      "virt_type", "guest_kernel", "guest_initrd", "migration_uri" (each
 *      optional);
 *   3. the environment: HVD_VIRT_TYPE, HVD_GUEST_KERNEL, HVD_GUEST_INITRD,
 *      HVD_MIGRATION_URI (what ci/check-real.sh exports);
 *   4. what the project's scripts left in $HVD_CACHE (default
 *      /var/cache/hvd): virt-type, the answer of ci/guest-probe.sh, and
 *      tiny-guest/tiny-guest.env, written by ci/tiny-guest.sh — read,
 *      never produced here;
 *   5. the built-in default (the value left NULL): the scenario's virt
 *      type (kvm unless it says otherwise), no kernel (the scenario's
 *      image boots as it is), the scenario's migration URIs.
 * A virt type is kvm or qemu; kernel and initramfs paths are made
 * absolute (libvirtd reads them, from its own folder) and must exist.
 */
#ifndef HVD_SETTINGS_H
#define HVD_SETTINGS_H

/* One setting: its value (NULL: the default) and where it came from
 * ("--virt-type", "/etc/hvd/hvd.json", "HVD_VIRT_TYPE",
 * "/var/cache/hvd/virt-type"; NULL with the value). Both owned (g_free). */
typedef struct settings_value {
    char *value;
    char *from;
} settings_value;

typedef struct settings {
    settings_value virt_type;
    settings_value guest_kernel;
    settings_value guest_initrd;
    /* the libvirt URI one host reaches another by, "%s" for its name:
     * the drivers' live_migration_uri and cold_migration_uri on a real run
     * (ci/host-b.sh prints the one of its two hosts) */
    settings_value migration_uri;
} settings;

/* The default configuration file, read when $HVD_CONFIG is not set. */
#define SETTINGS_DEFAULT_CONFIG "/etc/hvd/hvd.json"
/* The default cache folder, when $HVD_CACHE is not set (as in ci/lib.sh). */
#define SETTINGS_DEFAULT_CACHE "/var/cache/hvd"

/*
 * Resolve the settings into *st (settings_clear frees it) from the
 * options given (each NULL when not given) and the places above. Returns
 * 0, or -1 with *error (g_free) for a usage problem: a virt type that is
 * neither kvm nor qemu, a kernel or initramfs that does not exist, an
 * initramfs without a kernel, a configuration file that is missing (when
 * named by $HVD_CONFIG) or does not parse ("FILE:LINE:COLUMN: $.key:
 * what"). A cache that holds something else than the scripts write is
 * passed over, said in *note (g_free, NULL if nothing to say).
 */
int settings_resolve(settings *st, const char *virt_type,
                     const char *guest_kernel, const char *guest_initrd,
                     const char *migration_uri, char **note, char **error);
void settings_clear(settings *st);

#endif /* HVD_SETTINGS_H */
