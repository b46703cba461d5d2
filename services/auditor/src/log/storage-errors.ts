/** Another live process holds the audit directory: one auditor writes one log. */
export class AuditLogLockedError extends Error {
  readonly dir: string;

  constructor(dir: string, holder: string) {
    super(`audit log ${dir} is in use by ${holder}; run one auditor per audit directory`);
    this.name = 'AuditLogLockedError';
    this.dir = dir;
  }
}

/** The audit file could not be written or synced (disk full, I/O error). Retryable: nothing was acknowledged. */
export class AuditStorageError extends Error {
  readonly code: string | undefined;

  constructor(operation: string, cause: unknown) {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    super(`audit log ${operation} failed${code ? ` (${code})` : ''}`, { cause });
    this.name = 'AuditStorageError';
    this.code = code;
  }
}
