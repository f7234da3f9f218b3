/* bare_civetweb.c — the ceiling for labshare's HTTP figures: civetweb with
 * the same thread count and keep-alive settings, answering a fixed small
 * JSON body with the same headers labshare sends. usage: bare_civetweb PORT */
#include <civetweb.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop;
static void on_signal(int s)
{
    (void)s;
    stop = 1;
}

static int handler(struct mg_connection *conn, void *unused)
{
    (void)unused;
    static const char body[] = "{\"status\":\"ok\"}";
    mg_printf(conn,
              "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
              "Content-Length: %zu\r\n"
              "Content-Security-Policy: default-src 'self'; script-src 'self'; style-src 'self'; "
              "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
              "form-action 'self'; frame-ancestors 'none'\r\n"
              "X-Content-Type-Options: nosniff\r\nReferrer-Policy: same-origin\r\n"
              "X-Frame-Options: DENY\r\nCache-Control: no-store\r\n\r\n%s",
              sizeof body - 1, body);
    return 200;
}

int main(int argc, char **argv)
{
    char listen[64];
    snprintf(listen, sizeof listen, "127.0.0.1:%s", argc > 1 ? argv[1] : "8099");
    const char *opts[] = {"listening_ports",
                          listen,
                          "num_threads",
                          "64",
                          "enable_keep_alive",
                          "yes",
                          "tcp_nodelay",
                          "1",
                          "keep_alive_timeout_ms",
                          "2000",
                          "request_timeout_ms",
                          "30000",
                          "listen_backlog",
                          "256",
                          "connection_queue",
                          "256",
                          NULL};
    struct mg_callbacks cb;
    memset(&cb, 0, sizeof cb);
    mg_init_library(0);
    struct mg_context *ctx = mg_start(&cb, NULL, opts);
    if (!ctx)
        return 1;
    mg_set_request_handler(ctx, "/", handler, NULL);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    printf("ready\n");
    fflush(stdout);
    while (!stop)
        usleep(100000);
    mg_stop(ctx);
    return 0;
}
