// Command vestige drives a vestige memory store from the shell: remember, search, link and
// inspect memories, move them between backends (export, import), and manage the schema. It
// works out of the box on an embedded SQLite file and on Postgres when configured.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
