// Command vestige drives a vestige memory store from the shell: schema management now, and
// memories, search and review as the store grows.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
