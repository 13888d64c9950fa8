package pgstore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrThroughPooler: a schema migration asked of a connection that reaches Postgres through a
// proxy such as pgbouncer. tern holds a session advisory lock for the whole migration; a
// transaction pooler hands each statement to whichever server connection is free, so the
// lock (and its unlock) land on connections other migrations also use. Migrations run on a
// direct connection: [storage.postgres] migrate_url, or `vestige schema up` pointed at the
// server itself.
var ErrThroughPooler = errors.New("schema migration refused: this connection goes through a pooler or proxy; " +
	"set [storage.postgres] migrate_url (or $VESTIGE_POSTGRES_MIGRATE_URL) to a direct connection to the server, " +
	"or run `vestige schema up --postgres-url <direct URL>`")

// ProxyInfo says how a connection reaches the server.
type ProxyInfo struct {
	// Proxied: something stands between this client and the server.
	Proxied bool
	// Why is the evidence, for the error message.
	Why string
}

// DetectProxy tells a direct connection from one through a pooler or proxy by comparing the
// two ends of the socket: the server's view of its client (inet_client_addr/port) must be
// this socket's local end. Through pgbouncer it is pgbouncer's own socket to the server.
// Network address translation that rewrites the source (a userland port forwarder) looks
// the same, and errs on the safe side: set migrate_url to say the connection is direct.
func DetectProxy(ctx context.Context, conn *pgx.Conn) (ProxyInfo, error) {
	var clientPort *int32
	// By the simple protocol: this runs on any connection, whatever its exec mode, before
	// anything is known about what stands in between.
	err := conn.QueryRow(ctx, `SELECT inet_client_port()`, pgx.QueryExecModeSimpleProtocol).Scan(&clientPort)
	if err != nil {
		return ProxyInfo{}, fmt.Errorf("detect a pooler: %w", err)
	}
	local := conn.PgConn().Conn().LocalAddr()
	tcp, isTCP := local.(*net.TCPAddr)
	switch {
	case isTCP && clientPort == nil:
		return ProxyInfo{true, "this client connected by TCP but the server sees a Unix-socket client"}, nil
	case isTCP && int(*clientPort) != tcp.Port:
		return ProxyInfo{true, fmt.Sprintf("the server sees its client at port %d, this client is at port %d", *clientPort, tcp.Port)}, nil
	case !isTCP && clientPort != nil:
		return ProxyInfo{true, "this client connected by a Unix socket but the server sees a TCP client"}, nil
	}
	return ProxyInfo{}, nil
}

// CheckDirect returns ErrThroughPooler (with the evidence) when conn does not reach the
// server directly. Every path that migrates calls it first, unless the operator named a
// migrate_url.
func CheckDirect(ctx context.Context, conn *pgx.Conn) error {
	p, err := DetectProxy(ctx, conn)
	if err != nil {
		return err
	}
	if p.Proxied {
		return fmt.Errorf("%w (%s)", ErrThroughPooler, p.Why)
	}
	return nil
}

// migrateDirect migrates on a connection of its own to migrate when the operator named one
// (trusted to be direct), or else on conn once it is shown not to go through a pooler.
func migrateDirect(ctx context.Context, conn *pgx.Conn, migrate *pgx.ConnConfig, timeout time.Duration) error {
	if migrate == nil {
		if err := CheckDirect(ctx, conn); err != nil {
			return err
		}
		return Migrate(ctx, conn)
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	mc, err := pgx.ConnectConfig(cctx, migrate.Copy())
	cancel()
	if err != nil {
		return fmt.Errorf("connect to migrate_url: %w", err)
	}
	defer mc.Close(context.WithoutCancel(ctx))
	return Migrate(ctx, mc)
}
