// Generated from the api's OpenAPI document (GET /api/openapi.json) by openapi-typescript. Do not edit:
// regenerate with `npm run openapi -w @tidewater/ui` (test/ui/openapi-types.test.ts checks it is current).
/* eslint-disable */
export interface paths {
    "/api/v1/account": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List local accounts */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AccountList"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/account/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a local account and its tokens (never their secrets) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Account"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/account/{name}/token": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Generate an API token for an account with the apiKey capability (argocd account generate-token); shown once */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["CreateAccountTokenRequestInput"];
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CreateAccountTokenResponse"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/account/{name}/token/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke an API token */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": Record<string, never>;
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/account/can-i/{resource}/{action}/{subresource}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Whether the caller may do an action (argocd account can-i) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    action: string;
                    resource: string;
                    subresource: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CanIResponse"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/account/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Change a password: one's own with the current password, another account's with accounts update and one's own password */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["UpdatePasswordRequestInput"];
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": Record<string, never>;
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/applications": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List applications the caller may get (argocd app list) */
        get: {
            parameters: {
                query?: {
                    /** @description continue token from the previous page */
                    continue?: string;
                    /** @description Tidewater: only apps with one of these health statuses (repeatable) */
                    health?: string | string[];
                    /** @description page size */
                    limit?: number;
                    /** @description only the application of this name */
                    name?: string;
                    /** @description only these projects (repeatable) */
                    project?: string | string[];
                    /** @description Tidewater: only apps whose name contains this text (case-insensitive) */
                    search?: string;
                    /** @description label selector, e.g. team=web,tier!=db */
                    selector?: string;
                    /** @description Tidewater: only apps with one of these sync statuses (repeatable) */
                    sync?: string | string[];
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ApplicationList"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/applications/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get an application with its status (argocd app get) */
        get: {
            parameters: {
                query?: {
                    /** @description compare desired and live state again now (a diff by the syncer) before answering */
                    refresh?: "normal" | "hard";
                };
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Application"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Delete an application (argocd app delete): always 409 naming the file and document in Git that defines it */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/applications/{name}/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Kubernetes Events of an application's objects and their live children, or of one of them (newest first) */
        get: {
            parameters: {
                query?: {
                    /** @description only events of the object of this name */
                    resourceName?: string;
                    /** @description its namespace (default: the app's destination namespace) */
                    resourceNamespace?: string;
                    /** @description only events of the object with this uid */
                    resourceUID?: string;
                };
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["KubernetesEventList"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                504: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/applications/{name}/history": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Recorded syncs of an application, newest first (argocd app history) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ApplicationHistory"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/applications/{name}/managed-resources": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Desired state of each managed resource (from the latest synced bundle) with its sync and health */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ManagedResourcesResponse"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/applications/{name}/manifests": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Rendered manifests of a synced revision (default: the latest sync) */
        get: {
            parameters: {
                query?: {
                    revision?: string;
                };
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ManifestResponse"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/applications/{name}/operation": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Terminate the running sync operation (argocd app terminate-op) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["TerminateResult"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                504: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/applications/{name}/resource-tree": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The resources of an application with their health, and the live objects they own (ReplicaSets, Pods, …) with parentRefs */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ApplicationTree"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/applications/{name}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Resume automated sync paused by a rollback (Tidewater) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ResumeResult"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                504: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/applications/{name}/revisions/{revision}/metadata": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** What Tidewater knows of a revision: the webhook that announced it (author, time, ref) and its syncs */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                    revision: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["RevisionMetadata"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/applications/{name}/rollback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Roll back to a revision of the history (argocd app rollback); pauses automated sync */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["RollbackRequestInput"];
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Application"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/applications/{name}/server-side-diff": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Desired vs live state, computed by the syncer with a server-side dry-run apply (argocd app diff) */
        get: {
            parameters: {
                query?: {
                    revision?: string;
                };
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ServerSideDiffResponse"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                504: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/applications/{name}/sync": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sync an application (argocd app sync); queued at once, followed in status.operationState */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["SyncRequestInput"];
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Application"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit/dora": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** DORA metrics from the audit log (default: the last 30 days) */
        get: {
            parameters: {
                query?: {
                    app?: string;
                    environment?: string;
                    from?: string;
                    to?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["DoraReport"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Query the audit log (filters app, actor, type, from, to; paging limit + after) */
        get: {
            parameters: {
                query?: {
                    actor?: string;
                    after?: number;
                    app?: string;
                    from?: string;
                    limit?: number;
                    to?: string;
                    type?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AuditPage"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Verify the audit log's hash chain (200 intact, 409 tampered) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AuditVerification"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            ok: boolean;
                        } & {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Recent events the caller may see, oldest first */
        get: {
            parameters: {
                query?: {
                    /** @description stream id to continue after */
                    after?: string;
                    app?: string;
                    limit?: number;
                    /** @description exact type or a prefix ending in * */
                    type?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["EventList"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/images": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The configured image policies of the applications the caller may get */
        get: {
            parameters: {
                query?: {
                    /** @description only the policies of this application */
                    app?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ImagePolicyList"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/images/updates": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Recent image events (discovered, updated, update-failed, pinned) the caller may see, newest first */
        get: {
            parameters: {
                query?: {
                    app?: string;
                    /** @description stream id to continue before (the `next` of the previous page) */
                    before?: string;
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ImageUpdateList"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pipelines": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The promotion pipelines the caller may get, with each stage's current freight */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: components["schemas"]["PipelineSummary"][];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pipelines/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A pipeline's stages: current freight, promotion, hold, waiting gates, pending approvals */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["PipelineStatus"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pipelines/{name}/commit-statuses": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Set a commit status (for commitStatus gates) on a commit sha or a freight */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["CommitStatusRequestInput"];
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            at: string;
                            key: string;
                            state: string;
                            subject: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pipelines/{name}/freight": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A pipeline's freight, newest first */
        get: {
            parameters: {
                query?: {
                    /** @description the nextCursor of the previous page */
                    cursor?: string;
                    limit?: number;
                };
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: components["schemas"]["Freight"][];
                            nextCursor?: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pipelines/{name}/stages/{stage}/approve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Approve a freight waiting for approval in a stage (approver role; 403 is audited) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                    stage: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["ApprovalRequestInput"];
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            alias: string;
                            approvals: number;
                            /** @enum {string} */
                            decision: "approve" | "reject";
                            freight: string;
                            required: number;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pipelines/{name}/stages/{stage}/promote": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Promote a freight to a stage (an older freight than the stage runs also holds it) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                    stage: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["PromoteRequestInput"];
                };
            };
            responses: {
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            promotion: components["schemas"]["Promotion"];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pipelines/{name}/stages/{stage}/reject": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Reject a freight waiting for approval in a stage (approver role; 403 is audited) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                    stage: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["ApprovalRequestInput"];
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            alias: string;
                            approvals: number;
                            /** @enum {string} */
                            decision: "approve" | "reject";
                            freight: string;
                            required: number;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pipelines/{name}/stages/{stage}/release": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Release a stage's hold: automatic promotion resumes */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                    stage: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            released: boolean;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/pipelines/{name}/stages/{stage}/rollback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Roll a stage back (default: the freight before the current) and hold it */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                    stage: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["RollbackStageRequestInput"];
                };
            };
            responses: {
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            hold: {
                                at: string;
                                by: string;
                                reason: string;
                            };
                            promotion: components["schemas"]["Promotion"];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/projects": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List projects the caller may get */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AppProjectList"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/projects/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a project */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AppProject"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/projects/{project}/roles/{role}/token": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Create a project role token (argocd proj role create-token); shown once */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    project: string;
                    role: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["ProjectTokenCreateRequestInput"];
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ProjectTokenResponse"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/projects/{project}/roles/{role}/token/{iat}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke a project role token by its iat (argocd proj role delete-token) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    iat: number;
                    project: string;
                    role: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": Record<string, never>;
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/session": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Log in with a local account: a session token (also set as an HttpOnly cookie with a CSRF cookie) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["SessionCreateRequestInput"];
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["SessionResponse"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        /** Log out: the session token stops working */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": Record<string, never>;
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/session/userinfo": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Who the caller is */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["UserInfo"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/settings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Public client settings: whether single sign-on is configured */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ClientSettings"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/slack/interactions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Slack interactive Approve / Reject of a promotion (signed by Slack; not for other callers) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            replace_original: boolean;
                            /** @enum {string} */
                            response_type: "ephemeral" | "in_channel";
                            text: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/stream/applications": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Server-Sent Events of application changes: ADDED for each app at the start, then MODIFIED (Argo CD watch) */
        get: {
            parameters: {
                query?: {
                    name?: string;
                    project?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description text/event-stream */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/event-stream": string;
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/event-stream": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/stream/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Server-Sent Events: each new event the caller may see (`event: event`) */
        get: {
            parameters: {
                query?: {
                    app?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description text/event-stream */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/event-stream": string;
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/event-stream": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/version": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** API version */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/callback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The OIDC provider's redirect back: sets the session cookies and returns to the page */
        get: {
            parameters: {
                query?: {
                    code?: string;
                    state?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description redirect to the page */
                303: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": null;
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Start a single sign-on login (redirects to the OIDC provider) */
        get: {
            parameters: {
                query?: {
                    /** @description a path of this API to return to */
                    return_url?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description redirect to the provider */
                303: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": null;
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        Account: {
            capabilities: string[];
            enabled: boolean;
            groups: string[];
            name: string;
            tokens: components["schemas"]["AccountToken"][];
        };
        AccountInput: {
            capabilities: string[];
            enabled: boolean;
            groups: string[];
            name: string;
            tokens: components["schemas"]["AccountTokenInput"][];
        };
        AccountList: {
            items: components["schemas"]["Account"][];
        };
        AccountListInput: {
            items: components["schemas"]["AccountInput"][];
        };
        AccountToken: {
            expiresAt?: string;
            id: string;
            issuedAt: string;
        };
        AccountTokenInput: {
            expiresAt?: string;
            id: string;
            issuedAt: string;
        };
        Application: {
            /** @enum {string} */
            apiVersion: "argoproj.io/v1alpha1";
            /** @enum {string} */
            kind: "Application";
            metadata: {
                annotations?: {
                    [key: string]: string;
                };
                labels?: {
                    [key: string]: string;
                };
                name: string;
                namespace?: string;
            };
            spec: {
                destination: {
                    [key: string]: unknown;
                };
                project: string;
                source: {
                    [key: string]: unknown;
                };
            } & {
                [key: string]: unknown;
            };
            status: {
                conditions: {
                    message: string;
                    type: string;
                }[];
                health: components["schemas"]["HealthStatus"];
                history: components["schemas"]["RevisionHistory"][];
                operationState?: components["schemas"]["OperationState"];
                paused?: {
                    at?: string;
                    by?: string;
                    reason?: string;
                    revision: string;
                };
                reconciledAt?: string;
                resources: components["schemas"]["ResourceStatus"][];
                summary?: {
                    images: string[];
                };
                sync: {
                    revision?: string;
                    /** @enum {string} */
                    status: "Synced" | "OutOfSync" | "Unknown";
                };
            };
        };
        ApplicationHistory: {
            history: components["schemas"]["RevisionHistory"][];
            paused?: {
                at?: string;
                by?: string;
                reason?: string;
                revision: string;
            };
        };
        ApplicationHistoryInput: {
            history: components["schemas"]["RevisionHistoryInput"][];
            paused?: {
                at?: string;
                by?: string;
                reason?: string;
                revision: string;
            };
        };
        ApplicationInput: {
            /** @enum {string} */
            apiVersion: "argoproj.io/v1alpha1";
            /** @enum {string} */
            kind: "Application";
            metadata: {
                annotations?: {
                    [key: string]: string;
                };
                labels?: {
                    [key: string]: string;
                };
                name: string;
                namespace?: string;
            };
            spec: {
                destination: {
                    [key: string]: unknown;
                };
                project: string;
                source: {
                    [key: string]: unknown;
                };
            } & {
                [key: string]: unknown;
            };
            status: {
                conditions: {
                    message: string;
                    type: string;
                }[];
                health: components["schemas"]["HealthStatusInput"];
                history: components["schemas"]["RevisionHistoryInput"][];
                operationState?: components["schemas"]["OperationStateInput"];
                paused?: {
                    at?: string;
                    by?: string;
                    reason?: string;
                    revision: string;
                };
                reconciledAt?: string;
                resources: components["schemas"]["ResourceStatusInput"][];
                summary?: {
                    images: string[];
                };
                sync: {
                    revision?: string;
                    /** @enum {string} */
                    status: "Synced" | "OutOfSync" | "Unknown";
                };
            };
        };
        ApplicationList: {
            items: components["schemas"]["Application"][];
            metadata: {
                continue?: string;
                remainingItemCount?: number;
            };
        };
        ApplicationListInput: {
            items: components["schemas"]["ApplicationInput"][];
            metadata: {
                continue?: string;
                remainingItemCount?: number;
            };
        };
        ApplicationTree: {
            nodes: components["schemas"]["ResourceNode"][];
        };
        ApplicationTreeInput: {
            nodes: components["schemas"]["ResourceNodeInput"][];
        };
        AppProject: {
            metadata: {
                name: string;
            };
            spec: {
                [key: string]: unknown;
            };
            status: {
                jwtTokensByRole: {
                    [key: string]: {
                        items: components["schemas"]["JwtToken"][];
                    };
                };
            };
        };
        AppProjectInput: {
            metadata: {
                name: string;
            };
            spec: {
                [key: string]: unknown;
            };
            status: {
                jwtTokensByRole: {
                    [key: string]: {
                        items: components["schemas"]["JwtTokenInput"][];
                    };
                };
            };
        };
        AppProjectList: {
            items: components["schemas"]["AppProject"][];
        };
        AppProjectListInput: {
            items: components["schemas"]["AppProjectInput"][];
        };
        ApprovalRequest: {
            comment?: string;
            /** @description freight id, id prefix (8+ hex characters) or alias */
            freight: string;
        };
        ApprovalRequestInput: {
            comment?: string;
            /** @description freight id, id prefix (8+ hex characters) or alias */
            freight: string;
        };
        AuditPage: {
            nextCursor?: number | null;
            records: {
                [key: string]: unknown;
            }[];
        } & {
            [key: string]: unknown;
        };
        AuditPageInput: {
            nextCursor?: number | null;
            records: {
                [key: string]: unknown;
            }[];
        } & {
            [key: string]: unknown;
        };
        AuditVerification: {
            ok: boolean;
        } & {
            [key: string]: unknown;
        };
        AuditVerificationInput: {
            ok: boolean;
        } & {
            [key: string]: unknown;
        };
        CanIResponse: {
            /** @enum {string} */
            value: "yes" | "no";
        };
        CanIResponseInput: {
            /** @enum {string} */
            value: "yes" | "no";
        };
        ClientSettings: {
            oidcConfig?: {
                name: string;
            };
        };
        ClientSettingsInput: {
            oidcConfig?: {
                name: string;
            };
        };
        CommitStatusRequest: {
            description?: string;
            /** @description freight id, id prefix (8+ hex characters) or alias */
            freight?: string;
            key: string;
            sha?: string;
            /** @enum {string} */
            state: "pending" | "success" | "failure";
        };
        CommitStatusRequestInput: {
            description?: string;
            /** @description freight id, id prefix (8+ hex characters) or alias */
            freight?: string;
            key: string;
            sha?: string;
            /** @enum {string} */
            state: "pending" | "success" | "failure";
        };
        CreateAccountTokenRequest: {
            /** @description seconds; 0 or absent: never expires */
            expiresIn?: number;
            id?: string;
            name?: string;
        };
        CreateAccountTokenRequestInput: {
            /** @description seconds; 0 or absent: never expires */
            expiresIn?: number;
            id?: string;
            name?: string;
        };
        CreateAccountTokenResponse: {
            expiresAt?: string;
            id: string;
            token: string;
        };
        CreateAccountTokenResponseInput: {
            expiresAt?: string;
            id: string;
            token: string;
        };
        DoraReport: {
            [key: string]: unknown;
        };
        DoraReportInput: {
            [key: string]: unknown;
        };
        Error: {
            code: number;
            error: string;
            field?: string;
            message: string;
            permission?: {
                action: string;
                object: string;
                resource: string;
            };
        } & {
            [key: string]: unknown;
        };
        ErrorInput: {
            code: number;
            error: string;
            field?: string;
            message: string;
            permission?: {
                action: string;
                object: string;
                resource: string;
            };
        } & {
            [key: string]: unknown;
        };
        EventList: {
            items: components["schemas"]["StreamedEvent"][];
            next?: string;
        };
        EventListInput: {
            items: components["schemas"]["StreamedEventInput"][];
            next?: string;
        };
        Freight: {
            alias: string;
            charts: {
                name: string;
                repoURL: string;
                version: string;
            }[];
            commits: {
                author?: string;
                branch?: string;
                id: string;
                message?: string;
                repoURL: string;
            }[];
            createdAt: string;
            /** @description sha256 of the freight's canonical artifacts */
            id: string;
            images: {
                digest?: string;
                repoURL: string;
                tag: string;
            }[];
            source: string;
            verifiedIn: string[];
        };
        FreightInput: {
            alias: string;
            charts: {
                name: string;
                repoURL: string;
                version: string;
            }[];
            commits: {
                author?: string;
                branch?: string;
                id: string;
                message?: string;
                repoURL: string;
            }[];
            createdAt: string;
            /** @description sha256 of the freight's canonical artifacts */
            id: string;
            images: {
                digest?: string;
                repoURL: string;
                tag: string;
            }[];
            source: string;
            verifiedIn: string[];
        };
        HealthStatus: {
            message?: string;
            status: string;
        };
        HealthStatusInput: {
            message?: string;
            status: string;
        };
        ImagePolicy: {
            alias: string;
            allowTags?: string;
            app: string;
            constraint?: string;
            disabledReason?: string;
            id: string;
            ignoreTags: string[];
            image: string;
            /** @enum {string} */
            origin: "argocd-image-updater" | "flux" | "tidewater";
            platforms: string[];
            /** @enum {string} */
            strategy: "semver" | "newest-build" | "digest" | "alphabetical" | "numerical";
            writeBack: {
                baseBranch?: string;
                branch?: string;
                repoUrl?: string;
                target: {
                    file?: string;
                    /** @enum {string} */
                    kind: "kustomization" | "helmvalues" | "argocd-source" | "setters";
                    marker?: string;
                    path?: string;
                };
            };
        };
        ImagePolicyInput: {
            alias: string;
            allowTags?: string;
            app: string;
            constraint?: string;
            disabledReason?: string;
            id: string;
            ignoreTags: string[];
            image: string;
            /** @enum {string} */
            origin: "argocd-image-updater" | "flux" | "tidewater";
            platforms: string[];
            /** @enum {string} */
            strategy: "semver" | "newest-build" | "digest" | "alphabetical" | "numerical";
            writeBack: {
                baseBranch?: string;
                branch?: string;
                repoUrl?: string;
                target: {
                    file?: string;
                    /** @enum {string} */
                    kind: "kustomization" | "helmvalues" | "argocd-source" | "setters";
                    marker?: string;
                    path?: string;
                };
            };
        };
        ImagePolicyList: {
            items: components["schemas"]["ImagePolicy"][];
        };
        ImagePolicyListInput: {
            items: components["schemas"]["ImagePolicyInput"][];
        };
        ImageUpdateEvent: {
            app: string;
            data: {
                [key: string]: unknown;
            };
            id: string;
            image: string;
            policy: string;
            streamId: string;
            time: string;
            /** @enum {string} */
            type: "dev.tidewater.image.discovered" | "dev.tidewater.image.updated" | "dev.tidewater.image.update-failed" | "dev.tidewater.image.pinned";
        };
        ImageUpdateEventInput: {
            app: string;
            data: {
                [key: string]: unknown;
            };
            id: string;
            image: string;
            policy: string;
            streamId: string;
            time: string;
            /** @enum {string} */
            type: "dev.tidewater.image.discovered" | "dev.tidewater.image.updated" | "dev.tidewater.image.update-failed" | "dev.tidewater.image.pinned";
        };
        ImageUpdateList: {
            items: components["schemas"]["ImageUpdateEvent"][];
            next?: string;
            unreadable: number;
        };
        ImageUpdateListInput: {
            items: components["schemas"]["ImageUpdateEventInput"][];
            next?: string;
            unreadable: number;
        };
        JwtToken: {
            exp?: number;
            iat: number;
            id: string;
            issuedBy?: string;
        };
        JwtTokenInput: {
            exp?: number;
            iat: number;
            id: string;
            issuedBy?: string;
        };
        KubernetesEvent: {
            count?: number;
            firstTimestamp?: string;
            involvedObject: {
                apiVersion?: string;
                kind?: string;
                name?: string;
                namespace?: string;
                uid?: string;
            };
            lastTimestamp?: string;
            message?: string;
            metadata: {
                name: string;
                namespace?: string;
                uid?: string;
            };
            reason?: string;
            source?: {
                component?: string;
                host?: string;
            };
            type?: string;
        };
        KubernetesEventInput: {
            count?: number;
            firstTimestamp?: string;
            involvedObject: {
                apiVersion?: string;
                kind?: string;
                name?: string;
                namespace?: string;
                uid?: string;
            };
            lastTimestamp?: string;
            message?: string;
            metadata: {
                name: string;
                namespace?: string;
                uid?: string;
            };
            reason?: string;
            source?: {
                component?: string;
                host?: string;
            };
            type?: string;
        };
        KubernetesEventList: {
            items: components["schemas"]["KubernetesEvent"][];
            metadata: Record<string, never>;
        };
        KubernetesEventListInput: {
            items: components["schemas"]["KubernetesEventInput"][];
            metadata: Record<string, never>;
        };
        ManagedResourcesResponse: {
            items: {
                group: string;
                health?: components["schemas"]["HealthStatus"];
                kind: string;
                message?: string;
                name: string;
                namespace?: string;
                outcome?: string;
                /** @enum {string} */
                status: "Synced" | "OutOfSync" | "Unknown";
                targetState: string;
                version?: string;
            }[];
        };
        ManagedResourcesResponseInput: {
            items: {
                group: string;
                health?: components["schemas"]["HealthStatusInput"];
                kind: string;
                message?: string;
                name: string;
                namespace?: string;
                outcome?: string;
                /** @enum {string} */
                status: "Synced" | "OutOfSync" | "Unknown";
                targetState: string;
                version?: string;
            }[];
        };
        ManifestResponse: {
            manifests: string[];
            revision: string;
            sourceType: string;
        };
        ManifestResponseInput: {
            manifests: string[];
            revision: string;
            sourceType: string;
        };
        OperationState: {
            finishedAt?: string;
            message?: string;
            operation: {
                initiatedBy: {
                    username?: string;
                };
                jobId: string;
                kind: string;
            };
            /** @enum {string} */
            phase: "Running" | "Succeeded" | "Failed" | "Error";
            result?: unknown;
            startedAt?: string;
        };
        OperationStateInput: {
            finishedAt?: string;
            message?: string;
            operation: {
                initiatedBy: {
                    username?: string;
                };
                jobId: string;
                kind: string;
            };
            /** @enum {string} */
            phase: "Running" | "Succeeded" | "Failed" | "Error";
            result?: unknown;
            startedAt?: string;
        };
        PipelineStatus: {
            name: string;
            /** @enum {string} */
            origin: "tidewater" | "kargo" | "gitops-promoter";
            sources: {
                kind: string;
                name: string;
                ref: string;
            }[];
            stages: components["schemas"]["StageStatus"][];
        };
        PipelineStatusInput: {
            name: string;
            /** @enum {string} */
            origin: "tidewater" | "kargo" | "gitops-promoter";
            sources: {
                kind: string;
                name: string;
                ref: string;
            }[];
            stages: components["schemas"]["StageStatusInput"][];
        };
        PipelineSummary: {
            name: string;
            /** @enum {string} */
            origin: "tidewater" | "kargo" | "gitops-promoter";
            stages: {
                currentFreight: string | null;
                hold: boolean;
                name: string;
            }[];
        };
        PipelineSummaryInput: {
            name: string;
            /** @enum {string} */
            origin: "tidewater" | "kargo" | "gitops-promoter";
            stages: {
                currentFreight: string | null;
                hold: boolean;
                name: string;
            }[];
        };
        ProjectTokenCreateRequest: {
            description?: string;
            /** @description seconds; 0 or absent: never expires (as in Argo CD) */
            expiresIn?: number;
            id?: string;
        };
        ProjectTokenCreateRequestInput: {
            description?: string;
            /** @description seconds; 0 or absent: never expires (as in Argo CD) */
            expiresIn?: number;
            id?: string;
        };
        ProjectTokenResponse: {
            exp?: number;
            iat: number;
            id: string;
            token: string;
        };
        ProjectTokenResponseInput: {
            exp?: number;
            iat: number;
            id: string;
            token: string;
        };
        PromoteRequest: {
            comment?: string;
            /** @description freight id, id prefix (8+ hex characters) or alias */
            freight: string;
        };
        PromoteRequestInput: {
            comment?: string;
            /** @description freight id, id prefix (8+ hex characters) or alias */
            freight: string;
        };
        Promotion: {
            actor?: string;
            alias?: string;
            approvals?: {
                at: string;
                comment?: string;
                user: string;
            }[];
            finishedAt?: string;
            freight: string;
            id: string;
            /** @enum {string} */
            kind?: "auto" | "manual" | "rollback";
            reason?: string;
            revision?: string;
            startedAt: string;
            /** @enum {string} */
            state: "waiting" | "running" | "succeeded" | "failed";
            steps: {
                error?: string;
                output?: {
                    [key: string]: unknown;
                };
                state: string;
                uses: string;
            }[];
        };
        PromotionInput: {
            actor?: string;
            alias?: string;
            approvals?: {
                at: string;
                comment?: string;
                user: string;
            }[];
            finishedAt?: string;
            freight: string;
            id: string;
            /** @enum {string} */
            kind?: "auto" | "manual" | "rollback";
            reason?: string;
            revision?: string;
            startedAt: string;
            /** @enum {string} */
            state: "waiting" | "running" | "succeeded" | "failed";
            steps: {
                error?: string;
                output?: {
                    [key: string]: unknown;
                };
                state: string;
                uses: string;
            }[];
        };
        ResourceNode: {
            createdAt?: string;
            group: string;
            health?: components["schemas"]["HealthStatus"];
            kind: string;
            message?: string;
            name: string;
            namespace?: string;
            outcome?: string;
            parentRefs?: components["schemas"]["ResourceRef"][];
            /** @enum {string} */
            status?: "Synced" | "OutOfSync" | "Unknown";
            uid?: string;
            version?: string;
        };
        ResourceNodeInput: {
            createdAt?: string;
            group: string;
            health?: components["schemas"]["HealthStatusInput"];
            kind: string;
            message?: string;
            name: string;
            namespace?: string;
            outcome?: string;
            parentRefs?: components["schemas"]["ResourceRefInput"][];
            /** @enum {string} */
            status?: "Synced" | "OutOfSync" | "Unknown";
            uid?: string;
            version?: string;
        };
        ResourceRef: {
            group: string;
            kind: string;
            name: string;
            namespace?: string;
            uid?: string;
        };
        ResourceRefInput: {
            group: string;
            kind: string;
            name: string;
            namespace?: string;
            uid?: string;
        };
        ResourceStatus: {
            group: string;
            health?: components["schemas"]["HealthStatus"];
            kind: string;
            message?: string;
            name: string;
            namespace?: string;
            outcome?: string;
            /** @enum {string} */
            status: "Synced" | "OutOfSync" | "Unknown";
            version?: string;
        };
        ResourceStatusInput: {
            group: string;
            health?: components["schemas"]["HealthStatusInput"];
            kind: string;
            message?: string;
            name: string;
            namespace?: string;
            outcome?: string;
            /** @enum {string} */
            status: "Synced" | "OutOfSync" | "Unknown";
            version?: string;
        };
        ResumeResult: {
            resumed: boolean;
        } & {
            [key: string]: unknown;
        };
        ResumeResultInput: {
            resumed: boolean;
        } & {
            [key: string]: unknown;
        };
        RevisionHistory: {
            deployedAt: string;
            deployStartedAt: string;
            id: number;
            initiatedBy: {
                automated: boolean;
                username?: string;
            };
            message?: string;
            phase: string;
            revision: string;
            trigger: string;
        };
        RevisionHistoryInput: {
            deployedAt: string;
            deployStartedAt: string;
            id: number;
            initiatedBy: {
                automated: boolean;
                username?: string;
            };
            message?: string;
            phase: string;
            revision: string;
            trigger: string;
        };
        RevisionMetadata: {
            author?: string;
            date?: string;
            /** @description the commit message, as the push webhook carried it */
            message?: string;
            ref?: string;
            revision: string;
            syncs: components["schemas"]["RevisionHistory"][];
        };
        RevisionMetadataInput: {
            author?: string;
            date?: string;
            /** @description the commit message, as the push webhook carried it */
            message?: string;
            ref?: string;
            revision: string;
            syncs: components["schemas"]["RevisionHistoryInput"][];
        };
        RollbackRequest: {
            dryRun?: boolean;
            /** @description the history id to roll back to (argocd app history); 0 = the one before the current */
            id: number;
            name?: string;
            prune?: boolean;
        };
        RollbackRequestInput: {
            dryRun?: boolean;
            /** @description the history id to roll back to (argocd app history); 0 = the one before the current */
            id: number;
            name?: string;
            prune?: boolean;
        };
        RollbackStageRequest: {
            /** @description freight id, id prefix (8+ hex characters) or alias */
            freight?: string;
        };
        RollbackStageRequestInput: {
            /** @description freight id, id prefix (8+ hex characters) or alias */
            freight?: string;
        };
        ServerSideDiffResponse: {
            app: string;
            modified: boolean;
            objects: ({
                /** @description the whole desired object as YAML, secrets masked */
                desiredManifest?: string;
                diff: string;
                group: string;
                kind: string;
                /** @description the whole live object as YAML, secrets masked */
                liveManifest?: string;
                message?: string;
                name: string;
                namespace?: string;
                status: string;
            } & {
                [key: string]: unknown;
            })[];
            revision: string;
        } & {
            [key: string]: unknown;
        };
        ServerSideDiffResponseInput: {
            app: string;
            modified: boolean;
            objects: ({
                /** @description the whole desired object as YAML, secrets masked */
                desiredManifest?: string;
                diff: string;
                group: string;
                kind: string;
                /** @description the whole live object as YAML, secrets masked */
                liveManifest?: string;
                message?: string;
                name: string;
                namespace?: string;
                status: string;
            } & {
                [key: string]: unknown;
            })[];
            revision: string;
        } & {
            [key: string]: unknown;
        };
        SessionCreateRequest: {
            password: string;
            username: string;
        };
        SessionCreateRequestInput: {
            password: string;
            username: string;
        };
        SessionResponse: {
            expiresAt: string;
            token: string;
        };
        SessionResponseInput: {
            expiresAt: string;
            token: string;
        };
        StageStatus: {
            applications: string[];
            approvals: {
                pending: {
                    alias?: string;
                    approvals: {
                        at: string;
                        comment?: string;
                        user: string;
                    }[];
                    expiresAt: string;
                    freight: string;
                    requestedAt: string;
                    requestedBy: string;
                }[];
                required: number;
            } | null;
            autoPromote: boolean;
            currentFreight: components["schemas"]["Freight"] | null;
            healthySince?: string;
            hold: {
                at: string;
                by: string;
                reason: string;
            } | null;
            name: string;
            promotion: components["schemas"]["Promotion"] | null;
            upstream: string[];
            verifiedAt?: string;
            waiting: {
                alias?: string;
                freight: string;
                gate: string;
                passed: boolean;
                reason: string;
                since: string;
            }[];
        };
        StageStatusInput: {
            applications: string[];
            approvals: {
                pending: {
                    alias?: string;
                    approvals: {
                        at: string;
                        comment?: string;
                        user: string;
                    }[];
                    expiresAt: string;
                    freight: string;
                    requestedAt: string;
                    requestedBy: string;
                }[];
                required: number;
            } | null;
            autoPromote: boolean;
            currentFreight: components["schemas"]["FreightInput"] | null;
            healthySince?: string;
            hold: {
                at: string;
                by: string;
                reason: string;
            } | null;
            name: string;
            promotion: components["schemas"]["PromotionInput"] | null;
            upstream: string[];
            verifiedAt?: string;
            waiting: {
                alias?: string;
                freight: string;
                gate: string;
                passed: boolean;
                reason: string;
                since: string;
            }[];
        };
        StreamedEvent: {
            event: {
                data: {
                    [key: string]: unknown;
                };
                id: string;
                source: string;
                specversion: string;
                subject?: string;
                time: string;
                type: string;
            } & {
                [key: string]: unknown;
            };
            streamId: string;
        };
        StreamedEventInput: {
            event: {
                data: {
                    [key: string]: unknown;
                };
                id: string;
                source: string;
                specversion: string;
                subject?: string;
                time: string;
                type: string;
            } & {
                [key: string]: unknown;
            };
            streamId: string;
        };
        SyncRequest: {
            dryRun?: boolean;
            /** @description ignored when it equals the path name (Argo CD clients send it) */
            name?: string;
            prune?: boolean;
            resources?: (string | {
                /** @default  */
                group: string;
                kind: string;
                name: string;
                namespace?: string;
            })[];
            revision?: string;
            strategy?: {
                apply?: {
                    force?: boolean;
                };
                hook?: {
                    force?: boolean;
                };
            };
            /** @description Argo CD sync options, e.g. ServerSideApply=true (an array, or Argo CD's {items: [...]}) */
            syncOptions?: string[] | {
                items: string[];
            };
        };
        SyncRequestInput: {
            dryRun?: boolean;
            /** @description ignored when it equals the path name (Argo CD clients send it) */
            name?: string;
            prune?: boolean;
            resources?: (string | {
                /** @default  */
                group: string;
                kind: string;
                name: string;
                namespace?: string;
            })[];
            revision?: string;
            strategy?: {
                apply?: {
                    force?: boolean;
                };
                hook?: {
                    force?: boolean;
                };
            };
            /** @description Argo CD sync options, e.g. ServerSideApply=true (an array, or Argo CD's {items: [...]}) */
            syncOptions?: string[] | {
                items: string[];
            };
        };
        TerminateResult: {
            [key: string]: unknown;
        };
        TerminateResultInput: {
            [key: string]: unknown;
        };
        UpdatePasswordRequest: {
            currentPassword: string;
            name?: string;
            newPassword: string;
        };
        UpdatePasswordRequestInput: {
            currentPassword: string;
            name?: string;
            newPassword: string;
        };
        UserInfo: {
            groups: string[];
            loggedIn: boolean;
            username: string;
            via: string;
        };
        UserInfoInput: {
            groups: string[];
            loggedIn: boolean;
            username: string;
            via: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
