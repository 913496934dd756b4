/*
 * hv-error.c: the hv error record (reset, set, copy) and the names of its
 * codes.
 */
#include "hv-priv.h"

#include <glib.h>
#include <string.h>

/* ---- errors ---- */

void
hv_error_reset(hv_error *err)
{
    if (!err)
        return;
    err->code = HV_ERR_OK;
    err->sys_errno = 0;
    err->message[0] = '\0';
    err->func = NULL;
    err->line = 0;
    err->conn_lost = 0;
}

void
hv_error_setf(hv_error *err, int code, int sys_errno, const char *func,
              int line, const char *fmt, ...)
{
    va_list ap;

    if (!err || err->code != HV_ERR_OK)
        return;
    err->code = code;
    err->sys_errno = sys_errno;
    err->func = func;
    err->line = line;
    va_start(ap, fmt);
    g_vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
}

void
hv_error_copy(hv_error *dst, const hv_error *src)
{
    if (!dst || !src || dst->code != HV_ERR_OK || src->code == HV_ERR_OK)
        return;
    *dst = *src;
}

/* Every code hv knows, in ascending order (hv_error_code_at relies on it). */
static const struct {
    int code;
    const char *name;
} error_names[] = {
    {HV_ERR_OK, "OK"},
    {HV_ERR_INTERNAL_ERROR, "INTERNAL_ERROR"},
    {HV_ERR_NO_MEMORY, "NO_MEMORY"},
    {HV_ERR_NO_SUPPORT, "NO_SUPPORT"},
    {HV_ERR_NO_CONNECT, "NO_CONNECT"},
    {HV_ERR_INVALID_CONN, "INVALID_CONN"},
    {HV_ERR_INVALID_DOMAIN, "INVALID_DOMAIN"},
    {HV_ERR_INVALID_ARG, "INVALID_ARG"},
    {HV_ERR_OPERATION_FAILED, "OPERATION_FAILED"},
    {HV_ERR_NO_NAME, "NO_NAME"},
    {HV_ERR_XML_ERROR, "XML_ERROR"},
    {HV_ERR_OPERATION_DENIED, "OPERATION_DENIED"},
    {HV_ERR_XML_DETAIL, "XML_DETAIL"},
    {HV_ERR_SYSTEM_ERROR, "SYSTEM_ERROR"},
    {HV_ERR_RPC, "RPC"},
    {HV_ERR_NO_DOMAIN, "NO_DOMAIN"},
    {HV_ERR_NO_STORAGE_POOL, "NO_STORAGE_POOL"},
    {HV_ERR_NO_STORAGE_VOL, "NO_STORAGE_VOL"},
    {HV_ERR_OPERATION_INVALID, "OPERATION_INVALID"},
    {HV_ERR_CONFIG_UNSUPPORTED, "CONFIG_UNSUPPORTED"},
    {HV_ERR_OPERATION_TIMEOUT, "OPERATION_TIMEOUT"},
    {HV_ERR_ARGUMENT_UNSUPPORTED, "ARGUMENT_UNSUPPORTED"},
    {HV_ERR_OPERATION_ABORTED, "OPERATION_ABORTED"},
    {HV_ERR_OPERATION_UNSUPPORTED, "OPERATION_UNSUPPORTED"},
    {HV_ERR_AGENT_UNRESPONSIVE, "AGENT_UNRESPONSIVE"},
    {HV_ERR_RESOURCE_BUSY, "RESOURCE_BUSY"},
    {HV_ERR_STORAGE_VOL_EXIST, "STORAGE_VOL_EXIST"},
    {HV_ERR_DEVICE_MISSING, "DEVICE_MISSING"},
};

const char *
hv_error_code_name(int code)
{
    for (size_t i = 0; i < G_N_ELEMENTS(error_names); i++)
        if (error_names[i].code == code)
            return error_names[i].name;
    return "UNKNOWN";
}

int
hv_error_code_count(void)
{
    return (int)G_N_ELEMENTS(error_names) - 1; /* all but HV_ERR_OK */
}

int
hv_error_code_at(int i)
{
    if (i < 0 || i >= hv_error_code_count())
        return -1;
    return error_names[i + 1].code;
}

int
hv_error_code_from_name(const char *name)
{
    if (!name)
        return -1;
    if (g_str_has_prefix(name, "VIR_ERR_"))
        name += strlen("VIR_ERR_");
    for (size_t i = 0; i < G_N_ELEMENTS(error_names); i++)
        if (g_ascii_strcasecmp(error_names[i].name, name) == 0)
            return error_names[i].code;
    return -1;
}
