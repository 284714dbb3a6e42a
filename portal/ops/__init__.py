"""Operations: backups that prove themselves, structured logs, metrics and error reports."""
