/*
 * fake-xml.c: the fake hypervisor's XML parser (fakes/fake-xml.h) on
 * arbitrary bytes, as domain XML and as device XML.
 *
 * Checks: no crash, no leak; a refusal carries an error code and message;
 * a domain that parsed is kept as normalised XML that parses again to the
 * same summary (name, uuid, memory, vCPUs, noacpi, disk sources), and so
 * does its live XML (fake_xml_live: ID and aliases added) — what the fake
 * stores it must be able to read back.
 */
#include <glib.h>
#include <string.h>

#include "fake-xml.h"
#include "fuzz.h"

#define T "fake-xml"
#define UUID "6f1c3b5e-8d2a-4c1f-9b7e-0a1b2c3d4e5f"

static void
same_summary(const char *what, const fake_domdef *a, const fake_domdef *b)
{
    bool same = strcmp(a->name, b->name) == 0 &&
                strcmp(a->uuid, b->uuid) == 0 && a->mem_kib == b->mem_kib &&
                a->vcpus == b->vcpus && a->noacpi == b->noacpi &&
                a->sources->len == b->sources->len;

    for (guint i = 0; same && i < a->sources->len; i++)
        same = strcmp(g_ptr_array_index(a->sources, i),
                      g_ptr_array_index(b->sources, i)) == 0;
    if (!same)
        fuzz_fail(T, "%s reads back differently (name '%s' / '%s', "
                  "uuid %s / %s)", what, a->name, b->name, a->uuid, b->uuid);
}

/* xml, which the fake produced from def, must parse to def's summary. */
static void
reparse(const char *what, const char *xml, const fake_domdef *def)
{
    fake_domdef again;
    hv_error err;

    hv_error_reset(&err);
    if (fake_xml_parse_domain(xml, NULL, &again, &err) < 0)
        fuzz_fail(T, "%s does not parse again: %s\n%s", what, err.message,
                  xml);
    same_summary(what, def, &again);
    fake_domdef_clear(&again);
}

int
fuzz_fake_xml(const uint8_t *data, size_t size)
{
    g_autofree char *text = fuzz_text(data, size);
    fake_domdef def;
    fake_devref ref;
    hv_error err;
    GPtrArray *sources;

    hv_error_reset(&err);
    if (fake_xml_parse_domain(text, UUID, &def, &err) < 0) {
        if (!err.code || !err.message[0])
            fuzz_fail(T, "domain refused without an error");
    } else {
        g_autofree char *live = NULL;
        unsigned int tap = 0;

        reparse("the normalised XML", def.xml, &def);
        hv_error_reset(&err);
        live = fake_xml_live(def.xml, 7, &tap, &err);
        if (!live)
            fuzz_fail(T, "no live XML: %s", err.message);
        reparse("the live XML", live, &def);
        fake_domdef_clear(&def);
    }

    hv_error_reset(&err);
    if (fake_xml_parse_device(text, &ref, &err) < 0 &&
        (!err.code || !err.message[0]))
        fuzz_fail(T, "device refused without an error");

    sources = fake_xml_disk_sources(text);
    if (sources)
        g_ptr_array_unref(sources);
    return 0;
}
