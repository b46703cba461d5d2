/** OpenAPI security of authenticated routes: a bearer token or the browser session cookie. */
export const security: Array<Record<string, string[]>> = [{ bearerAuth: [] }, { cookieAuth: [] }];
