/* display.c — rich display from cells (see parc.h). */
#include "events.h"
#include "parc.h"
#include "wire.h"

#include <string.h>

void parc_display(const char *mime, const void *data, size_t len)
{
    if (mime && data)
        rt_send_bundle(EV_DISPLAY, NULL, mime, data, len);
}

void parc_display_svg(const char *svg)
{
    if (svg)
        parc_display("image/svg+xml", svg, strlen(svg));
}

void parc_display_html(const char *html)
{
    if (html)
        parc_display("text/html", html, strlen(html));
}

void parc_display_markdown(const char *md)
{
    if (md)
        parc_display("text/markdown", md, strlen(md));
}

void parc_display_png(const void *png, size_t len)
{
    parc_display("image/png", png, len);
}

void parc_display_id(const char *id, const char *mime, const void *data, size_t len)
{
    if (mime && data)
        rt_send_bundle(EV_DISPLAY, id, mime, data, len);
}

void parc_update_display(const char *id, const char *mime, const void *data, size_t len)
{
    if (id && mime && data)
        rt_send_bundle(EV_UPDATE_DISPLAY, id, mime, data, len);
}

void parc_clear_output(int wait)
{
    const char *f[1] = {wait ? "1" : "0"};
    rt_send_synced(EV_CLEAR_OUTPUT, 1, f, NULL);
}
