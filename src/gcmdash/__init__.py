"""gcmdash ETL: documents in data/raw -> checked DuckDB database."""
