/*
 * drv-xml-cpu.c: the guest CPU of an instance's domain XML — the
 * reference's _get_guest_cpu_model_config and _get_guest_cpu_config (CPU
 * mode and model from configuration, the topology from the image and the
 * flavor) and _update_guest_cputune (shares and the flavor's quota keys).
 *
 * Internal (drv-priv.h), like drv-xml.c.
 */
#include <glib.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <libxml/tree.h>

#include "drv-priv.h"

/* libvirt's ranges for <cputune> (virDomainDefCputuneValidate and the
 * cgroup v1 cpu.shares range, which libvirt accepts for <shares>). */
#define CPU_SHARES_MAX 262144
#define CPU_PERIOD_MIN 1000
#define CPU_PERIOD_MAX 1000000
#define CPU_QUOTA_MIN 1000
#define CPU_QUOTA_MAX INT64_C(17592186044415)

static xmlNodePtr
add_i64(xmlNodePtr parent, const char *name, int64_t v)
{
    char buf[24];

    g_snprintf(buf, sizeof(buf), "%" PRId64, v);
    return xmlNewTextChild(parent, NULL, BAD_CAST name, BAD_CAST buf);
}

/*
 * The CPU model config as the reference's _get_guest_cpu_model_config:
 * kvm/qemu default to host-model, "none" there still gives a <cpu> (for
 * the topology); other virt types get no <cpu> and refuse an explicit
 * mode. *mode NULL: no mode attribute. Returns 1 with a <cpu>, 0 without.
 */
int
drv_xml_cpu_model_config(const drv_config *cfg, const char **mode,
                         const char **model, drv_error *err)
{
    *mode = cfg->cpu_mode;
    *model = cfg->cpu_model;
    if (drv_xml_kvm_or_qemu(cfg)) {
        if (!*mode)
            *mode = "host-model";
        if (strcmp(*mode, "none") == 0) {
            *mode = NULL;
            *model = NULL;
            return 1;
        }
    } else if (!*mode || strcmp(*mode, "none") == 0) {
        return 0;
    } else {
        drv_error_set(err, DRV_ERR_INVALID_CONFIG,
                      "cpu_mode: '%s' requests an explicit CPU model, but "
                      "virt_type '%s' does not support selecting CPU "
                      "models", *mode, cfg->virt_type);
        return -1;
    }
    if (strcmp(*mode, "custom") == 0 && !*model) {
        drv_error_set(err, DRV_ERR_INVALID_CONFIG,
                      "cpu_mode 'custom' requires cpu_model");
        return -1;
    }
    if (strcmp(*mode, "custom") != 0 && *model) {
        drv_error_set(err, DRV_ERR_INVALID_CONFIG,
                      "cpu_model '%s' is set but cpu_mode is '%s' (a model "
                      "goes with 'custom' only)", *model, *mode);
        return -1;
    }
    return 1;
}

/*
 * The topology as hardware.get_best_cpu_topology picks it for the
 * preferences it is given: the image's hw_cpu_sockets/cores/threads, else
 * the flavor's hw:cpu_*; missing values: threads 1, then cores/sockets
 * fill up vcpus; none at all: vcpus sockets of one core, one thread. The
 * product must be the flavor's vcpus.
 */
static int
cpu_topology(const drv_instance *inst, uint64_t v[3], drv_error *err)
{
    static const char *const specs[3] = {
        "hw:cpu_sockets", "hw:cpu_cores", "hw:cpu_threads",
    };
    static const char *const props[3] = {
        "hw_cpu_sockets", "hw_cpu_cores", "hw_cpu_threads",
    };
    const drv_flavor *f = &inst->flavor;
    bool any = false;

    for (int i = 0; i < 3; i++) {
        const char *fs = drv_xml_flavor_spec(inst, specs[i]);
        const char *is = drv_xml_image_prop(inst, props[i]);
        uint64_t fv = 0, iv = 0;

        v[i] = 0;
        if (fs && drv_xml_parse_uint(fs, 1, f->vcpus, &fv) < 0) {
            drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                          "flavor.extra_specs %s: '%s' is not a number "
                          "from 1 to %u (the flavor's vcpus)", specs[i], fs,
                          f->vcpus);
            return -1;
        }
        if (is && drv_xml_parse_uint(is, 1, f->vcpus, &iv) < 0) {
            drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                          "image.properties.%s: '%s' is not a number from "
                          "1 to %u (the flavor's vcpus)", props[i], is,
                          f->vcpus);
            return -1;
        }
        /* the flavor's value is the most the image may ask for */
        if (fv && iv > fv) {
            drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                          "image.properties.%s: %" PRIu64 " exceeds the "
                          "flavor's %s %" PRIu64, props[i], iv, specs[i],
                          fv);
            return -1;
        }
        v[i] = iv ? iv : fv;
        any |= v[i] != 0;
    }
    if (!any) {
        v[0] = f->vcpus;
        v[1] = v[2] = 1;
        return 0;
    }
    if (!v[2])
        v[2] = 1;
    if (!v[0] && !v[1])
        v[1] = 1;
    if (!v[0])
        v[0] = f->vcpus / (v[1] * v[2]);
    if (!v[1])
        v[1] = f->vcpus / (v[0] * v[2]);
    if (v[0] * v[1] * v[2] != f->vcpus) {
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                      "hw:cpu_sockets/cores/threads: %" PRIu64 "*%" PRIu64
                      "*%" PRIu64 " is not the flavor's %u vcpus", v[0], v[1],
                      v[2], f->vcpus);
        return -1;
    }
    return 0;
}

/* <cpu>: _get_guest_cpu_config (model config, then the topology). */
int
drv_xml_build_cpu(xmlNodePtr domain, const drv_config *cfg,
                  const drv_instance *inst, drv_error *err)
{
    const char *mode, *model;
    uint64_t v[3];
    int rc = drv_xml_cpu_model_config(cfg, &mode, &model, err);
    xmlNodePtr cpu, t;

    if (rc <= 0)
        return rc;
    if (cpu_topology(inst, v, err) < 0)
        return -1;
    cpu = drv_xml_add(domain, "cpu");
    if (mode)
        drv_xml_set(cpu, "mode", mode);
    if (mode && strcmp(mode, "custom") == 0) {
        drv_xml_set(cpu, "match", "exact");
        drv_xml_add_text(cpu, "model", model);
    }
    t = drv_xml_add(cpu, "topology");
    drv_xml_set_u64(t, "sockets", v[0]);
    drv_xml_set_u64(t, "cores", v[1]);
    drv_xml_set_u64(t, "threads", v[2]);
    return 0;
}

/* A quota:cpu_* key as a signed integer in [min, max] (or -1 if allowed). */
static int
cputune_value(const drv_instance *inst, const char *key, int64_t min,
              int64_t max, bool minus_one, int64_t *out, bool *set,
              drv_error *err)
{
    const char *s = drv_xml_flavor_spec(inst, key);
    gint64 v;

    *set = false;
    if (!s)
        return 0;
    if (!g_ascii_string_to_signed(s, 10, minus_one ? -1 : min, max, &v,
                                  NULL) ||
        (v < min && !(minus_one && v == -1))) {
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                      "flavor.extra_specs %s: '%s' is not %sa number from "
                      "%" PRId64 " to %" PRId64, key, s,
                      minus_one ? "-1 or " : "", min, max);
        return -1;
    }
    *out = v;
    *set = true;
    return 0;
}

/*
 * <cputune>: _update_guest_cputune — on kvm/qemu shares default to 1024
 * per vCPU, the flavor's quota:cpu_shares/period/quota override. Other
 * virt types get none (the reference returns early for them).
 */
int
drv_xml_build_cputune(xmlNodePtr domain, const drv_config *cfg,
                      const drv_instance *inst, drv_error *err)
{
    int64_t shares = 1024 * (int64_t)inst->flavor.vcpus, period = 0,
            quota = 0;
    bool has_shares, has_period, has_quota;
    xmlNodePtr tune;

    if (cputune_value(inst, "quota:cpu_shares", 1, CPU_SHARES_MAX, false,
                      &shares, &has_shares, err) < 0 ||
        cputune_value(inst, "quota:cpu_period", CPU_PERIOD_MIN,
                      CPU_PERIOD_MAX, false, &period, &has_period, err) < 0 ||
        cputune_value(inst, "quota:cpu_quota", CPU_QUOTA_MIN, CPU_QUOTA_MAX,
                      true, &quota, &has_quota, err) < 0)
        return -1;
    if (!drv_xml_kvm_or_qemu(cfg))
        return 0;
    if (!has_shares)
        shares = 1024 * (int64_t)inst->flavor.vcpus;
    tune = drv_xml_add(domain, "cputune");
    add_i64(tune, "shares", shares);
    if (has_period)
        add_i64(tune, "period", period);
    if (has_quota)
        add_i64(tune, "quota", quota);
    return 0;
}
