/** Redis keys private to the API (its token store). Secrets are stored only as hashes. */
export const apiKeys = {
  password: (account: string) => `tidewater:api:password:${account}`,
  token: (id: string) => `tidewater:api:token:${id}`,
  accountTokens: (account: string) => `tidewater:api:account-tokens:${account}`,
  session: (id: string) => `tidewater:api:session:${id}`,
  projectTokens: (project: string, role: string) => `tidewater:api:project-tokens:${project}:${role}`,
  signingKey: 'tidewater:api:signing-key',
  loginFailures: (scope: 'account' | 'address', value: string) => `tidewater:api:login-failures:${scope}:${value}`,
  /** The latest operation (control job id) requested through the API for an app. */
  operation: (app: string) => `tidewater:api:operation:${app}`,
} as const;
