/** Who is calling, as the API established it. `subject` is what RBAC policies and audit events name. */
export interface Identity {
  /** A local account name (`alice`), or `proj:<project>:<role>` for a project role token. */
  subject: string;
  groups: string[];
  /** How the caller proved it: a session (password login), an SSO session (OIDC), an account API token, a project role token, or a Slack action signed by Slack and mapped to an account. */
  via: 'session' | 'sso' | 'api-token' | 'project-token' | 'slack';
  /** The token's id (never its secret): lets an account revoke the token it uses. */
  tokenId?: string;
  /** Set when the session came from a browser cookie: mutating calls then need the CSRF header. */
  cookie?: { csrf: string };
}
