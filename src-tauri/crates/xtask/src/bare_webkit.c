/* The floor under Fleetward's start-up figures: a bare WebKitGTK 4.1 window (the webview
 * Tauri uses on Linux) showing one heading, with nothing of Fleetward in it. Its page
 * reports its first paint (two animation frames after it runs) to the UI process, which
 * prints "first screen shown" on stderr, as the app does. `cargo xtask bench startup`
 * compiles it with the system's C compiler and measures it like the app. */
#include <gtk/gtk.h>
#include <stdio.h>
#include <webkit2/webkit2.h>

static void on_shown(WebKitUserContentManager *manager, WebKitJavascriptResult *result,
                     gpointer data) {
    (void)manager;
    (void)result;
    (void)data;
    fprintf(stderr, "first screen shown\n");
    fflush(stderr);
}

int main(int argc, char **argv) {
    gtk_init(&argc, &argv);
    GtkWidget *window = gtk_window_new(GTK_WINDOW_TOPLEVEL);
    gtk_window_set_default_size(GTK_WINDOW(window), 1280, 820);
    gtk_window_set_title(GTK_WINDOW(window), "bare WebKitGTK");
    WebKitUserContentManager *content = webkit_user_content_manager_new();
    g_signal_connect(content, "script-message-received::shown", G_CALLBACK(on_shown), NULL);
    webkit_user_content_manager_register_script_message_handler(content, "shown");
    GtkWidget *view = webkit_web_view_new_with_user_content_manager(content);
    gtk_container_add(GTK_CONTAINER(window), view);
    webkit_web_view_load_html(
        WEBKIT_WEB_VIEW(view),
        "<!doctype html><html><body><h1>Hello</h1><script>"
        "requestAnimationFrame(() => requestAnimationFrame(() =>"
        " window.webkit.messageHandlers.shown.postMessage('')));"
        "</script></body></html>",
        "file:///");
    gtk_widget_show_all(window);
    g_signal_connect(window, "destroy", G_CALLBACK(gtk_main_quit), NULL);
    gtk_main();
    return 0;
}
