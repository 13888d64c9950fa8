package transfertest

import "github.com/vestige-mem/vestige/tests/testdb"

// DerivedDrift is 0 when every table the triggers derive from memories (full-text postings
// and statistics, new cards) is exact in a Postgres store: testdb.DerivedDrift.
const DerivedDrift = testdb.DerivedDrift
