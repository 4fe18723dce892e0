"""Statistics queries and spreadsheet reports (IN-8, IN-9)."""
