# ISP side: a PostgreSQL server for the store tests (SQLite is bundled with Microsoft.Data.Sqlite).
DEPS_APT += postgresql
