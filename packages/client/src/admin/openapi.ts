// Generated from openapi.yaml by `npm run openapi` (openapi-typescript): do not edit.
export interface paths {
    "/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This OpenAPI 3.1 document, as JSON */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The OpenAPI document */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            [key: string]: unknown;
                        };
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
    "/openapi.yaml": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This OpenAPI 3.1 document, as YAML (the committed openapi.yaml) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The OpenAPI document */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/yaml": string;
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
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The process is alive */
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
                            status: string;
                        };
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
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The database is reachable (503 otherwise, within a second) */
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
                            status: string;
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            status: string;
                        };
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
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Prometheus metrics: requests by route and status, token outcomes, process metrics */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Prometheus text exposition format */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/plain": string;
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
    "/.well-known/jwks.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The public signing keys (JWKS)
         * @description Every key that is about to sign, signs, or signed tokens that have not yet expired. A new key appears here at least one cache lifetime (Cache-Control max-age) before it signs, so a consumer that honours max-age always knows the key of a token. Send the ETag back in If-None-Match to get 304 when nothing changed.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The JWK set (RFC 7517 §5) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            keys: {
                                /** @enum {string} */
                                kty: "RSA" | "EC" | "OKP";
                                /** @description RSA: modulus, base64url */
                                n?: string;
                                /** @description RSA: public exponent, base64url */
                                e?: string;
                                /**
                                 * @description EC and OKP: the curve
                                 * @enum {string}
                                 */
                                crv?: "P-256" | "Ed25519";
                                /** @description EC and OKP: the x coordinate or public key, base64url */
                                x?: string;
                                /** @description EC: the y coordinate, base64url */
                                y?: string;
                                /** @description The RFC 7638 JWK thumbprint (SHA-256) of the key */
                                kid: string;
                                /** @enum {string} */
                                alg: "RS256" | "PS256" | "ES256" | "EdDSA";
                                /** @enum {string} */
                                use: "sig";
                            }[];
                        };
                    };
                };
                /** @description Not modified: the key set of the ETag in If-None-Match is still current */
                304: {
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
    "/.well-known/oauth-authorization-server": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Authorization server metadata (RFC 8414) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The metadata */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ServerMetadata"];
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
    "/.well-known/openid-configuration": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The same metadata, at the address OpenID Connect clients look up */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The metadata */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ServerMetadata"];
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
    "/oauth/userinfo": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * UserInfo (OpenID Connect Core §5.3)
         * @description Send the access token in Authorization: Bearer. It must be for this server (the default audience) and hold the openid scope.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OpenID Connect Core §5.3.2: sub, and the claims the scopes of the access token allow */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description The user id: the sub of the ID token */
                            sub: string;
                            /** @description With scope profile, when the user has one */
                            name?: string;
                            /** @description With scope email, when the user has one */
                            email?: string;
                            /** @description With scope email, beside email */
                            email_verified?: boolean;
                        };
                    };
                };
                /** @description invalid_request: two credentials, or a malformed one */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description invalid_token: no access token, or one that is invalid, expired, revoked or not for this server (WWW-Authenticate: Bearer) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description insufficient_scope: the access token does not hold openid */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description temporarily_unavailable */
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
        /**
         * UserInfo by POST (OpenID Connect Core §5.3.1)
         * @description Send the access token in Authorization: Bearer. It must be for this server (the default audience) and hold the openid scope.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description OpenID Connect Core §5.3.2: sub, and the claims the scopes of the access token allow */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description The user id: the sub of the ID token */
                            sub: string;
                            /** @description With scope profile, when the user has one */
                            name?: string;
                            /** @description With scope email, when the user has one */
                            email?: string;
                            /** @description With scope email, beside email */
                            email_verified?: boolean;
                        };
                    };
                };
                /** @description invalid_request: two credentials, or a malformed one */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description invalid_token: no access token, or one that is invalid, expired, revoked or not for this server (WWW-Authenticate: Bearer) */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description insufficient_scope: the access token does not hold openid */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description temporarily_unavailable */
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
    "/oauth/token": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Token endpoint: password, refresh_token and client_credentials grants (RFC 6749) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/x-www-form-urlencoded": {
                        /** @description authorization_code, password, refresh_token, client_credentials, urn:ietf:params:oauth:grant-type:token-exchange or urn:ietf:params:oauth:grant-type:jwt-bearer */
                        grant_type?: string;
                        /** @description For client_secret_post, or alone for a public client */
                        client_id?: string;
                        /** @description For client_secret_post (HTTP Basic is preferred) */
                        client_secret?: string;
                        /** @description Space-separated; within what the client (and user) may have */
                        scope?: string;
                        /** @description RFC 8707: one of the registered audiences */
                        resource?: string;
                        /** @description password grant */
                        username?: string;
                        /** @description password grant */
                        password?: string;
                        /** @description refresh_token grant */
                        refresh_token?: string;
                        /** @description token exchange (RFC 8693): the access key */
                        subject_token?: string;
                        /** @description token exchange: urn:portcullis:params:oauth:token-type:access_key */
                        subject_token_type?: string;
                        /** @description token exchange: a registered audience (like resource) */
                        audience?: string;
                        /** @description token exchange: urn:ietf:params:oauth:token-type:access_token (the default) */
                        requested_token_type?: string;
                        /** @description JWT bearer grant (RFC 7523 §2.1): a JWT signed with a key-pair access key */
                        assertion?: string;
                        /** @description authorization_code grant: the code from /oauth/authorize */
                        code?: string;
                        /** @description authorization_code grant: the redirect_uri sent to /oauth/authorize, when one was */
                        redirect_uri?: string;
                        /** @description authorization_code grant: the PKCE verifier (RFC 7636) of the S256 code_challenge */
                        code_verifier?: string;
                    };
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
                            /** @description A JWT (RFC 9068), typ at+jwt, signed with the client’s access_token_signing_alg */
                            access_token: string;
                            /**
                             * @description DPoP when the request carried a DPoP proof (RFC 9449): the token is bound to its key (cnf.jkt)
                             * @enum {string}
                             */
                            token_type: "Bearer" | "DPoP";
                            /** @description Seconds until the access token expires */
                            expires_in: number;
                            /** @description The granted scope, space-separated */
                            scope: string;
                            /** @description Issued by the password and refresh_token grants; rotated on every use */
                            refresh_token?: string;
                            issued_token_type?: string;
                            /** @description OpenID Connect ID token (typ JWT, the access token’s algorithm), when the openid scope was granted in a browser sign-in */
                            id_token?: string;
                        };
                    };
                };
                /** @description too_many_requests: over the limit of token requests per client IP (RATE_LIMIT_PER_IP) or per authenticated client (RATE_LIMIT_PER_CLIENT) */
                429: {
                    headers: {
                        /** @description Seconds until the window ends and requests are counted again */
                        "Retry-After"?: number;
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description?: string;
                        };
                    };
                };
                /** @description temporarily_unavailable: the database did not answer within DATABASE_TIMEOUT; retry after the seconds in Retry-After */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description?: string;
                        };
                    };
                };
                /** @description Default Response */
                "4XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description?: string;
                        };
                    };
                };
                /** @description Default Response */
                "5XX": {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description?: string;
                        };
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
    "/oauth/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Revoke a token (RFC 7009)
         * @description Revokes a refresh token (and every token of its grant), a JWT access token (until it expires; resource servers verifying it locally accept it until then) or an access key. Answers 200 with an empty body for valid, unknown, revoked and expired tokens, and for another client's tokens, which are left untouched.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/x-www-form-urlencoded": {
                        /** @description The token to revoke */
                        token: string;
                        /** @description refresh_token or access_token; optional, and any other value is ignored */
                        token_type_hint?: string;
                        /** @description client_secret_post / public client (RFC 6749 §2.3.1) */
                        client_id?: string;
                        /** @description client_secret_post (RFC 6749 §2.3.1) */
                        client_secret?: string;
                        /** @description private_key_jwt (RFC 7523 §2.2): urn:ietf:params:oauth:client-assertion-type:jwt-bearer */
                        client_assertion_type?: string;
                        /** @description private_key_jwt: a JWT signed with the client’s key (iss = sub = client_id, aud = the issuer) */
                        client_assertion?: string;
                    };
                };
            };
            responses: {
                /** @description Revoked, or nothing to revoke (the answer is the same) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description invalid_request: a missing or repeated parameter, or more than one client authentication method */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description invalid_client: client authentication failed */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The body is larger than the limit */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The body is not application/x-www-form-urlencoded */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description temporarily_unavailable: the database did not answer within DATABASE_TIMEOUT; retry after the seconds in Retry-After */
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
    "/assets/{file}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A stylesheet or script of the sign-in pages (content-hashed name) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    file: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The file, cached for a year (its name changes with its content) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/css": string;
                        "text/javascript": string;
                    };
                };
                /** @description No such file: the error page */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/html": string;
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
    "/oauth/authorize": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Authorization endpoint (RFC 6749 §4.1, PKCE S256 required): to the login or consent page, or back to the client with a code or an error (with iss, RFC 9207) */
        get: {
            parameters: {
                query?: {
                    /** @description code (the only response type) */
                    response_type?: unknown;
                    /** @description The registered client */
                    client_id?: unknown;
                    /** @description One of the client’s redirect URIs, exactly (a loopback one with any port); optional when it has only one */
                    redirect_uri?: unknown;
                    /** @description Space-separated, within the client’s scopes */
                    scope?: unknown;
                    /** @description Returned exactly as sent */
                    state?: unknown;
                    /** @description PKCE (RFC 7636): BASE64URL(SHA256(code_verifier)), required */
                    code_challenge?: unknown;
                    /** @description S256 (required; plain is refused) */
                    code_challenge_method?: unknown;
                    /** @description RFC 8707: one of the registered audiences */
                    resource?: unknown;
                    /** @description OpenID Connect: kept with the code */
                    nonce?: unknown;
                    /** @description none, login or consent */
                    prompt?: unknown;
                    /** @description Seconds: an older login is asked again */
                    max_age?: unknown;
                    /** @description Username to fill in on the login page */
                    login_hint?: unknown;
                    /** @description query (default) or form_post */
                    response_mode?: unknown;
                    /** @description RFC 9449 section 10: the JWK thumbprint of the DPoP key the code is bound to */
                    dpop_jkt?: unknown;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description response_mode=form_post: a form posting the answer to the client */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/html": string;
                    };
                };
                /** @description To the login or consent page, or to the redirect URI with code (or error), state and iss */
                303: {
                    headers: {
                        Location?: string;
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Unknown client or redirect URI: shown, never redirected */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/html": string;
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
    "/oauth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The login page of a pending authorization request */
        get: {
            parameters: {
                query?: {
                    /** @description The pending request, as /oauth/authorize named it */
                    request?: unknown;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The login form (username, password) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/html": string;
                    };
                };
                /** @description The request has expired or was answered */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/html": string;
                    };
                };
            };
        };
        put?: never;
        /** Signs in with a username and password (throttled like the password grant), then continues the request */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/x-www-form-urlencoded": {
                        /** @description The pending request */
                        request?: unknown;
                        /** @description Username */
                        username?: unknown;
                        /** @description Password */
                        password?: unknown;
                        /** @description The form’s CSRF token */
                        _csrf?: unknown;
                    };
                };
            };
            responses: {
                /** @description response_mode=form_post: the answer to the client */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/html": string;
                    };
                };
                /** @description To the consent page, or to the client with the code */
                303: {
                    headers: {
                        Location?: string;
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description The request has expired or was answered */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/html": string;
                    };
                };
                /** @description The login form again: wrong username or password */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/html": string;
                    };
                };
                /** @description No valid CSRF token */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/html": string;
                    };
                };
                /** @description The login form again: too many failed logins */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/html": string;
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
    "/oauth/consent": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The consent page of a pending authorization request: the client’s name and the scopes asked */
        get: {
            parameters: {
                query?: {
                    /** @description The pending request */
                    request?: unknown;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The consent form (consent=allow or consent=deny) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/html": string;
                    };
                };
                /** @description The request has expired, was answered, or belongs to another session */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/html": string;
                    };
                };
            };
        };
        put?: never;
        /** Answers the consent page: allow issues the code (the consent is remembered), deny answers access_denied */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/x-www-form-urlencoded": {
                        /** @description The pending request */
                        request?: unknown;
                        /** @description allow or deny */
                        consent?: unknown;
                        /** @description The form’s CSRF token */
                        _csrf?: unknown;
                    };
                };
            };
            responses: {
                /** @description response_mode=form_post: the answer to the client */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/html": string;
                    };
                };
                /** @description To the client with the code, or error=access_denied */
                303: {
                    headers: {
                        Location?: string;
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description The request has expired, was answered, or belongs to another session */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/html": string;
                    };
                };
                /** @description No valid CSRF token */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/html": string;
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
    "/oauth/authorize/continue": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Where the team’s login or consent app sends the browser back (the redirect_to of its answer): the request goes on */
        get: {
            parameters: {
                query?: {
                    /** @description From the login request’s redirect_to */
                    login_verifier?: unknown;
                    /** @description From the consent request’s redirect_to */
                    consent_verifier?: unknown;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description response_mode=form_post: the answer to the client */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/html": string;
                    };
                };
                /** @description To the consent step, or to the client with the code (or the error the app answered), state and iss */
                303: {
                    headers: {
                        Location?: string;
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description The verifier is unknown, used or expired, or this browser did not start the request */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/html": string;
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
    "/oauth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** RP-initiated logout (GET): asks the signed-in user to confirm (not when id_token_hint names this session), then ends the session and the refresh tokens issued in it */
        get: {
            parameters: {
                query?: {
                    /** @description An ID token of ours, expired or not: when its sid is this browser’s session, no confirmation is asked; one not issued here is refused */
                    id_token_hint?: unknown;
                    /** @description The client whose post_logout_redirect_uri is asked for (when both are sent, the audience of id_token_hint) */
                    client_id?: unknown;
                    /** @description One of the client’s registered post-logout redirect URIs, exactly */
                    post_logout_redirect_uri?: unknown;
                    /** @description Returned exactly as sent */
                    state?: unknown;
                    /** @description POST: yes, from the confirmation form */
                    confirm?: unknown;
                    /** @description POST with confirm=yes: the confirmation form’s CSRF token */
                    _csrf?: unknown;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The confirmation form, or the signed-out page */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/html": string;
                    };
                };
                /** @description To the registered post_logout_redirect_uri, with state */
                303: {
                    headers: {
                        Location?: string;
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description post_logout_redirect_uri is not registered for the client, or id_token_hint was not issued here (or to client_id) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/html": string;
                    };
                };
            };
        };
        put?: never;
        /** RP-initiated logout (POST): asks the signed-in user to confirm (not when id_token_hint names this session), then ends the session and the refresh tokens issued in it */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/x-www-form-urlencoded": {
                        /** @description An ID token of ours, expired or not: when its sid is this browser’s session, no confirmation is asked; one not issued here is refused */
                        id_token_hint?: unknown;
                        /** @description The client whose post_logout_redirect_uri is asked for (when both are sent, the audience of id_token_hint) */
                        client_id?: unknown;
                        /** @description One of the client’s registered post-logout redirect URIs, exactly */
                        post_logout_redirect_uri?: unknown;
                        /** @description Returned exactly as sent */
                        state?: unknown;
                        /** @description POST: yes, from the confirmation form */
                        confirm?: unknown;
                        /** @description POST with confirm=yes: the confirmation form’s CSRF token */
                        _csrf?: unknown;
                    };
                };
            };
            responses: {
                /** @description The confirmation form, or the signed-out page */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/html": string;
                    };
                };
                /** @description To the registered post_logout_redirect_uri, with state */
                303: {
                    headers: {
                        Location?: string;
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description post_logout_redirect_uri is not registered for the client, or id_token_hint was not issued here (or to client_id) */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/html": string;
                    };
                };
                /** @description confirm=yes without a valid CSRF token */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/html": string;
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
    "/oauth/introspect": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Introspect a token (RFC 7662)
         * @description Callers authenticate as a confidential client (which may introspect the tokens issued to it; with the introspect scope, any token) or with a Bearer token or access key holding the introspect or admin scope.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/x-www-form-urlencoded": {
                        /** @description The token to introspect */
                        token: string;
                        /** @description access_token, refresh_token or access_key; optional, and any other value is ignored */
                        token_type_hint?: string;
                        /** @description client_secret_post / public client (RFC 6749 §2.3.1) */
                        client_id?: string;
                        /** @description client_secret_post (RFC 6749 §2.3.1) */
                        client_secret?: string;
                        /** @description private_key_jwt (RFC 7523 §2.2): urn:ietf:params:oauth:client-assertion-type:jwt-bearer */
                        client_assertion_type?: string;
                        /** @description private_key_jwt: a JWT signed with the client’s key (iss = sub = client_id, aud = the issuer) */
                        client_assertion?: string;
                    };
                };
            };
            responses: {
                /** @description The token, or {"active": false} */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            active: boolean;
                            scope?: string;
                            client_id?: string;
                            username?: string;
                            /** @description The token's tenant, the default tenant's included (a JWT without a tenant_id claim is the default tenant's) */
                            tenant_id?: string;
                            /** @description The workspace the token is for, when it is for one */
                            workspace_id?: string;
                            /** @description Bearer or DPoP (a JWT access token, DPoP when bound to a key), refresh_token or access_key */
                            token_type?: string;
                            exp?: number;
                            iat?: number;
                            nbf?: number;
                            sub?: string;
                            aud?: string | string[];
                            iss?: string;
                            jti?: string;
                            /** @description The acting party of a token-exchange token (RFC 8693 §4.1) */
                            act?: {
                                [key: string]: unknown;
                            };
                            /** @description RFC 9449 §6.2: the JWK SHA-256 thumbprint of the key a DPoP-bound token is bound to */
                            cnf?: {
                                jkt?: string;
                            };
                        };
                    };
                };
                /** @description invalid_request: a missing or repeated parameter, or more than one authentication method */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description invalid_client or invalid_token: the caller is not authenticated */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description insufficient_scope: the Bearer token or access key lacks the introspect or admin scope */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The body is larger than the limit */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description The body is not application/x-www-form-urlencoded */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description temporarily_unavailable: the database did not answer within DATABASE_TIMEOUT; retry after the seconds in Retry-After */
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
    "/admin/v1/clients": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List clients (never a secret or its hash) */
        get: {
            parameters: {
                query?: {
                    /** @description The next_cursor of the previous page */
                    after?: string;
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
                        "application/json": {
                            items: {
                                client_id: string;
                                name: string;
                                public: boolean;
                                /**
                                 * @description client_secret_basic: a secret (Basic or client_secret_post); private_key_jwt: signed assertions
                                 * @enum {string}
                                 */
                                token_endpoint_auth_method: "client_secret_basic" | "private_key_jwt" | "none";
                                /** @description private_key_jwt: the client’s public keys, when registered inline */
                                jwks: {
                                    keys: {
                                        kty: string;
                                        kid?: string;
                                        use?: string;
                                        alg?: string;
                                        key_ops?: string[];
                                        n?: string;
                                        e?: string;
                                        crv?: string;
                                        x?: string;
                                        y?: string;
                                    }[];
                                } | null;
                                /** @description private_key_jwt: where the client’s public keys are fetched */
                                jwks_uri: string | null;
                                /** @description private_key_jwt: the token endpoint URL is accepted as an assertion’s aud besides the issuer */
                                token_endpoint_audience: boolean;
                                grant_types: string[];
                                scopes: string[];
                                audiences: string[];
                                redirect_uris: string[];
                                post_logout_redirect_uris: string[];
                                first_party: boolean;
                                allowed_origins: string[];
                                /** @description The JWS algorithm of the client’s access tokens; null: the first of SIGNING_ALGORITHMS */
                                access_token_signing_alg: string | null;
                                /** @description The JWS algorithm of the client’s ID tokens (OpenID Connect Registration section 2); null: RS256 when configured, else the first of SIGNING_ALGORITHMS */
                                id_token_signed_response_alg: string | null;
                                /** @description RFC 9449 section 5.2: every token request must carry a DPoP proof */
                                dpop_bound_access_tokens: boolean;
                                /** Format: date-time */
                                previous_secret_expires_at?: string | null;
                                /** Format: date-time */
                                created_at: string;
                                /** Format: date-time */
                                updated_at: string;
                            }[];
                            /** @description Pass as `after` for the next page; null on the last */
                            next_cursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        /** Register a client (a confidential client’s secret is returned only in this response) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name: string;
                        grant_types: string[];
                        scopes?: string[];
                        audiences?: string[];
                        /** @default false */
                        public?: boolean;
                        /**
                         * @description How the client authenticates: a secret (client_secret_basic or client_secret_post, the default; either works), private_key_jwt (with jwks or jwks_uri), or none (public)
                         * @enum {string}
                         */
                        token_endpoint_auth_method?: "client_secret_basic" | "client_secret_post" | "private_key_jwt" | "none";
                        /** @description private_key_jwt: a JWK Set of the client’s public keys (RS256/PS256 RSA, ES256 P-256, EdDSA Ed25519) */
                        jwks?: {
                            keys: Record<string, never>[];
                        };
                        /** @description private_key_jwt: an https URL serving the client’s JWK Set (fetched and cached; instead of jwks) */
                        jwks_uri?: string;
                        /** @description private_key_jwt: also accept the token endpoint URL as an assertion’s aud (default: the issuer only) */
                        token_endpoint_audience?: boolean;
                        /** @description Authorization code grant: exact redirect URIs (https, loopback http, or a private-use scheme) */
                        redirect_uris?: string[];
                        /** @description Where a logout may return the browser, exactly */
                        post_logout_redirect_uris?: string[];
                        /** @description The operator’s own application: no consent page */
                        first_party?: boolean;
                        /** @description Browser origins allowed to call the token endpoint (CORS) */
                        allowed_origins?: string[];
                        /** @description RFC 9449 section 5.2: every token request must carry a DPoP proof (the access tokens are DPoP-bound) */
                        dpop_bound_access_tokens?: boolean;
                        /**
                         * @description The JWS algorithm of the client’s access tokens; one of the server’s SIGNING_ALGORITHMS (default: the first)
                         * @enum {string}
                         */
                        access_token_signing_alg?: "RS256" | "PS256" | "ES256" | "EdDSA";
                        /**
                         * @description OpenID Connect Registration section 2: the JWS algorithm of the client’s ID tokens; one of the server’s SIGNING_ALGORITHMS (default: RS256 when configured, else the first)
                         * @enum {string}
                         */
                        id_token_signed_response_alg?: "RS256" | "PS256" | "ES256" | "EdDSA";
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            client_id: string;
                            name: string;
                            public: boolean;
                            /**
                             * @description client_secret_basic: a secret (Basic or client_secret_post); private_key_jwt: signed assertions
                             * @enum {string}
                             */
                            token_endpoint_auth_method: "client_secret_basic" | "private_key_jwt" | "none";
                            /** @description private_key_jwt: the client’s public keys, when registered inline */
                            jwks: {
                                keys: {
                                    kty: string;
                                    kid?: string;
                                    use?: string;
                                    alg?: string;
                                    key_ops?: string[];
                                    n?: string;
                                    e?: string;
                                    crv?: string;
                                    x?: string;
                                    y?: string;
                                }[];
                            } | null;
                            /** @description private_key_jwt: where the client’s public keys are fetched */
                            jwks_uri: string | null;
                            /** @description private_key_jwt: the token endpoint URL is accepted as an assertion’s aud besides the issuer */
                            token_endpoint_audience: boolean;
                            grant_types: string[];
                            scopes: string[];
                            audiences: string[];
                            redirect_uris: string[];
                            post_logout_redirect_uris: string[];
                            first_party: boolean;
                            allowed_origins: string[];
                            /** @description The JWS algorithm of the client’s access tokens; null: the first of SIGNING_ALGORITHMS */
                            access_token_signing_alg: string | null;
                            /** @description The JWS algorithm of the client’s ID tokens (OpenID Connect Registration section 2); null: RS256 when configured, else the first of SIGNING_ALGORITHMS */
                            id_token_signed_response_alg: string | null;
                            /** @description RFC 9449 section 5.2: every token request must carry a DPoP proof */
                            dpop_bound_access_tokens: boolean;
                            /** Format: date-time */
                            previous_secret_expires_at?: string | null;
                            /** Format: date-time */
                            created_at: string;
                            /** Format: date-time */
                            updated_at: string;
                            /** @description Shown only in this response */
                            client_secret?: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
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
    "/admin/v1/clients/{clientId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a client */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    clientId: string;
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
                            client_id: string;
                            name: string;
                            public: boolean;
                            /**
                             * @description client_secret_basic: a secret (Basic or client_secret_post); private_key_jwt: signed assertions
                             * @enum {string}
                             */
                            token_endpoint_auth_method: "client_secret_basic" | "private_key_jwt" | "none";
                            /** @description private_key_jwt: the client’s public keys, when registered inline */
                            jwks: {
                                keys: {
                                    kty: string;
                                    kid?: string;
                                    use?: string;
                                    alg?: string;
                                    key_ops?: string[];
                                    n?: string;
                                    e?: string;
                                    crv?: string;
                                    x?: string;
                                    y?: string;
                                }[];
                            } | null;
                            /** @description private_key_jwt: where the client’s public keys are fetched */
                            jwks_uri: string | null;
                            /** @description private_key_jwt: the token endpoint URL is accepted as an assertion’s aud besides the issuer */
                            token_endpoint_audience: boolean;
                            grant_types: string[];
                            scopes: string[];
                            audiences: string[];
                            redirect_uris: string[];
                            post_logout_redirect_uris: string[];
                            first_party: boolean;
                            allowed_origins: string[];
                            /** @description The JWS algorithm of the client’s access tokens; null: the first of SIGNING_ALGORITHMS */
                            access_token_signing_alg: string | null;
                            /** @description The JWS algorithm of the client’s ID tokens (OpenID Connect Registration section 2); null: RS256 when configured, else the first of SIGNING_ALGORITHMS */
                            id_token_signed_response_alg: string | null;
                            /** @description RFC 9449 section 5.2: every token request must carry a DPoP proof */
                            dpop_bound_access_tokens: boolean;
                            /** Format: date-time */
                            previous_secret_expires_at?: string | null;
                            /** Format: date-time */
                            created_at: string;
                            /** Format: date-time */
                            updated_at: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Delete a client; its refresh-token families end with it */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    clientId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Deleted */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /** Update a client’s name, grant types, scopes, audiences, browser sign-in fields, signing algorithms, or (private_key_jwt) replace its keys */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    clientId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name?: string;
                        grant_types?: string[];
                        scopes?: string[];
                        audiences?: string[];
                        /** @description private_key_jwt: a JWK Set of the client’s public keys (RS256/PS256 RSA, ES256 P-256, EdDSA Ed25519) */
                        jwks?: {
                            keys: Record<string, never>[];
                        };
                        /** @description private_key_jwt: an https URL serving the client’s JWK Set (fetched and cached; instead of jwks) */
                        jwks_uri?: string;
                        /** @description private_key_jwt: also accept the token endpoint URL as an assertion’s aud (default: the issuer only) */
                        token_endpoint_audience?: boolean;
                        /** @description Authorization code grant: exact redirect URIs (https, loopback http, or a private-use scheme) */
                        redirect_uris?: string[];
                        /** @description Where a logout may return the browser, exactly */
                        post_logout_redirect_uris?: string[];
                        /** @description The operator’s own application: no consent page */
                        first_party?: boolean;
                        /** @description Browser origins allowed to call the token endpoint (CORS) */
                        allowed_origins?: string[];
                        /** @description RFC 9449 section 5.2: every token request must carry a DPoP proof (the access tokens are DPoP-bound) */
                        dpop_bound_access_tokens?: boolean;
                        /**
                         * @description The JWS algorithm of the client’s access tokens; one of the server’s SIGNING_ALGORITHMS (default: the first); null returns to the default
                         * @enum {string|null}
                         */
                        access_token_signing_alg?: "RS256" | "PS256" | "ES256" | "EdDSA" | null;
                        /**
                         * @description OpenID Connect Registration section 2: the JWS algorithm of the client’s ID tokens; one of the server’s SIGNING_ALGORITHMS (default: RS256 when configured, else the first); null returns to the default
                         * @enum {string|null}
                         */
                        id_token_signed_response_alg?: "RS256" | "PS256" | "ES256" | "EdDSA" | null;
                    };
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
                            client_id: string;
                            name: string;
                            public: boolean;
                            /**
                             * @description client_secret_basic: a secret (Basic or client_secret_post); private_key_jwt: signed assertions
                             * @enum {string}
                             */
                            token_endpoint_auth_method: "client_secret_basic" | "private_key_jwt" | "none";
                            /** @description private_key_jwt: the client’s public keys, when registered inline */
                            jwks: {
                                keys: {
                                    kty: string;
                                    kid?: string;
                                    use?: string;
                                    alg?: string;
                                    key_ops?: string[];
                                    n?: string;
                                    e?: string;
                                    crv?: string;
                                    x?: string;
                                    y?: string;
                                }[];
                            } | null;
                            /** @description private_key_jwt: where the client’s public keys are fetched */
                            jwks_uri: string | null;
                            /** @description private_key_jwt: the token endpoint URL is accepted as an assertion’s aud besides the issuer */
                            token_endpoint_audience: boolean;
                            grant_types: string[];
                            scopes: string[];
                            audiences: string[];
                            redirect_uris: string[];
                            post_logout_redirect_uris: string[];
                            first_party: boolean;
                            allowed_origins: string[];
                            /** @description The JWS algorithm of the client’s access tokens; null: the first of SIGNING_ALGORITHMS */
                            access_token_signing_alg: string | null;
                            /** @description The JWS algorithm of the client’s ID tokens (OpenID Connect Registration section 2); null: RS256 when configured, else the first of SIGNING_ALGORITHMS */
                            id_token_signed_response_alg: string | null;
                            /** @description RFC 9449 section 5.2: every token request must carry a DPoP proof */
                            dpop_bound_access_tokens: boolean;
                            /** Format: date-time */
                            previous_secret_expires_at?: string | null;
                            /** Format: date-time */
                            created_at: string;
                            /** Format: date-time */
                            updated_at: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
        };
        trace?: never;
    };
    "/admin/v1/clients/{clientId}/rotate-secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Issue a new client secret (returned only in this response); the old one stays valid for the grace period */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    clientId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /**
                         * @description Seconds the old secret keeps working; 0 ends it now
                         * @default 0
                         */
                        previous_secret_grace_seconds?: number;
                    } | null;
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
                            client_id: string;
                            name: string;
                            public: boolean;
                            /**
                             * @description client_secret_basic: a secret (Basic or client_secret_post); private_key_jwt: signed assertions
                             * @enum {string}
                             */
                            token_endpoint_auth_method: "client_secret_basic" | "private_key_jwt" | "none";
                            /** @description private_key_jwt: the client’s public keys, when registered inline */
                            jwks: {
                                keys: {
                                    kty: string;
                                    kid?: string;
                                    use?: string;
                                    alg?: string;
                                    key_ops?: string[];
                                    n?: string;
                                    e?: string;
                                    crv?: string;
                                    x?: string;
                                    y?: string;
                                }[];
                            } | null;
                            /** @description private_key_jwt: where the client’s public keys are fetched */
                            jwks_uri: string | null;
                            /** @description private_key_jwt: the token endpoint URL is accepted as an assertion’s aud besides the issuer */
                            token_endpoint_audience: boolean;
                            grant_types: string[];
                            scopes: string[];
                            audiences: string[];
                            redirect_uris: string[];
                            post_logout_redirect_uris: string[];
                            first_party: boolean;
                            allowed_origins: string[];
                            /** @description The JWS algorithm of the client’s access tokens; null: the first of SIGNING_ALGORITHMS */
                            access_token_signing_alg: string | null;
                            /** @description The JWS algorithm of the client’s ID tokens (OpenID Connect Registration section 2); null: RS256 when configured, else the first of SIGNING_ALGORITHMS */
                            id_token_signed_response_alg: string | null;
                            /** @description RFC 9449 section 5.2: every token request must carry a DPoP proof */
                            dpop_bound_access_tokens: boolean;
                            /** Format: date-time */
                            previous_secret_expires_at?: string | null;
                            /** Format: date-time */
                            created_at: string;
                            /** Format: date-time */
                            updated_at: string;
                            /** @description Shown only in this response */
                            client_secret: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
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
    "/admin/v1/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List users (never a password hash) */
        get: {
            parameters: {
                query?: {
                    /** @description The next_cursor of the previous page */
                    after?: string;
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
                        "application/json": {
                            items: {
                                id: string;
                                username: string;
                                scopes: string[];
                                disabled: boolean;
                                /** @description OpenID Connect email claim (UserInfo with scope email) */
                                email: string | null;
                                /** @description Whether the address is known to be the user’s */
                                email_verified: boolean;
                                /** @description OpenID Connect name claim (UserInfo with scope profile) */
                                name: string | null;
                                /** Format: date-time */
                                created_at: string;
                                /** Format: date-time */
                                updated_at: string;
                            }[];
                            /** @description Pass as `after` for the next page; null on the last */
                            next_cursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        /** Create a user */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        username: string;
                        /** @description 8 to 72 bytes (bcrypt's limit) */
                        password: string;
                        scopes?: string[];
                        /** @description An email address (the email claim); null clears it */
                        email?: string | null;
                        /** @description Whether the address is known to be the user’s (default false) */
                        email_verified?: boolean;
                        /** @description A display name (the name claim); null clears it */
                        name?: string | null;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            username: string;
                            scopes: string[];
                            disabled: boolean;
                            /** @description OpenID Connect email claim (UserInfo with scope email) */
                            email: string | null;
                            /** @description Whether the address is known to be the user’s */
                            email_verified: boolean;
                            /** @description OpenID Connect name claim (UserInfo with scope profile) */
                            name: string | null;
                            /** Format: date-time */
                            created_at: string;
                            /** Format: date-time */
                            updated_at: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
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
    "/admin/v1/users/{userId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a user */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    userId: string;
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
                            id: string;
                            username: string;
                            scopes: string[];
                            disabled: boolean;
                            /** @description OpenID Connect email claim (UserInfo with scope email) */
                            email: string | null;
                            /** @description Whether the address is known to be the user’s */
                            email_verified: boolean;
                            /** @description OpenID Connect name claim (UserInfo with scope profile) */
                            name: string | null;
                            /** Format: date-time */
                            created_at: string;
                            /** Format: date-time */
                            updated_at: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Delete a user, with their refresh tokens, access tokens and access keys */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    userId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Deleted */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /** Change a user’s scopes, email and name, or disable / enable them (disabling ends their refresh tokens, access tokens and access keys) */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    userId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        scopes?: string[];
                        disabled?: boolean;
                        /** @description An email address (the email claim); null clears it */
                        email?: string | null;
                        /** @description Whether the address is known to be the user’s (default false) */
                        email_verified?: boolean;
                        /** @description A display name (the name claim); null clears it */
                        name?: string | null;
                    };
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
                            id: string;
                            username: string;
                            scopes: string[];
                            disabled: boolean;
                            /** @description OpenID Connect email claim (UserInfo with scope email) */
                            email: string | null;
                            /** @description Whether the address is known to be the user’s */
                            email_verified: boolean;
                            /** @description OpenID Connect name claim (UserInfo with scope profile) */
                            name: string | null;
                            /** Format: date-time */
                            created_at: string;
                            /** Format: date-time */
                            updated_at: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
        };
        trace?: never;
    };
    "/admin/v1/users/{userId}/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Set a user’s password (ends their refresh tokens and access tokens) */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    userId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description 8 to 72 bytes (bcrypt's limit) */
                        password: string;
                    };
                };
            };
            responses: {
                /** @description Password set */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
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
    "/admin/v1/users/{userId}/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List a user’s sign-in sessions in force, newest first (never a cookie or its hash) */
        get: {
            parameters: {
                query?: {
                    /** @description The next_cursor of the previous page */
                    after?: string;
                    limit?: number;
                };
                header?: never;
                path: {
                    userId: string;
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
                            items: {
                                /** @description Names the session here and in tokens (`sid`); not the cookie */
                                id: string;
                                user_id: string;
                                /**
                                 * Format: date-time
                                 * @description When the user signed in
                                 */
                                auth_time: string;
                                /** @description Authentication methods (RFC 8176), e.g. pwd */
                                amr: string[];
                                /** Format: date-time */
                                last_seen_at: string;
                                /** Format: date-time */
                                idle_expires_at: string;
                                /** Format: date-time */
                                expires_at: string;
                                /** Format: date-time */
                                created_at: string;
                            }[];
                            /** @description Pass as `after` for the next page; null on the last */
                            next_cursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** End every sign-in session of a user’s, with the refresh tokens and access tokens issued in them */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    userId: string;
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
                            /** @description How many sessions ended */
                            ended: number;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/users/{userId}/sessions/{sessionId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** End one sign-in session of a user’s, with the refresh tokens and access tokens issued in it */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    userId: string;
                    sessionId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Ended */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/users/{userId}/consents": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List a user’s remembered consents, by client id */
        get: {
            parameters: {
                query?: {
                    /** @description The next_cursor of the previous page */
                    after?: string;
                    limit?: number;
                };
                header?: never;
                path: {
                    userId: string;
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
                            items: {
                                client_id: string;
                                user_id: string;
                                scopes: string[];
                                /** Format: date-time */
                                created_at: string;
                                /** Format: date-time */
                                updated_at: string;
                            }[];
                            /** @description Pass as `after` for the next page; null on the last */
                            next_cursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
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
    "/admin/v1/users/{userId}/consents/{clientId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke a user’s consent to a client: its next authorization request asks again; the refresh tokens and access tokens the client holds for the user end */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    userId: string;
                    clientId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Revoked */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/access-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List access keys, oldest first (never a key or its hash) */
        get: {
            parameters: {
                query?: {
                    /** @description The next_cursor of the previous page */
                    after?: string;
                    limit?: number;
                    /** @description Only this user’s keys */
                    user_id?: string;
                    /** @description true: only service keys (no owner) */
                    service?: boolean;
                    /** @description true: only keys that are neither revoked nor expired */
                    active?: boolean;
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
                        "application/json": {
                            items: {
                                id: string;
                                name: string;
                                user_id: string | null;
                                /**
                                 * @description secret: presented as pcl_<id>_<secret>; key_pair: proven by a signed JWT (the JWT bearer grant)
                                 * @enum {string}
                                 */
                                kind: "secret" | "key_pair";
                                /** @description A key-pair key: RFC 7638 SHA-256 JWK thumbprint */
                                public_key_thumbprint: string | null;
                                /** @description A key-pair key: the one algorithm its assertions may use */
                                public_key_alg: string | null;
                                scopes: string[];
                                /** @enum {string} */
                                status: "active" | "expired" | "revoked";
                                /** Format: date-time */
                                expires_at: string | null;
                                /**
                                 * Format: date-time
                                 * @description Updated at most once per ACCESS_KEY_LAST_USED_INTERVAL
                                 */
                                last_used_at: string | null;
                                /** Format: date-time */
                                revoked_at: string | null;
                                /** @description The key this one was created with through /v1/me: it expires no later and is revoked with it */
                                parent_id: string | null;
                                /** Format: date-time */
                                created_at: string;
                            }[];
                            /** @description Pass as `after` for the next page; null on the last */
                            next_cursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        /** Create an access key: a secret key (returned only in this response) or a key-pair key (public_key, or generate_key_pair whose private key is returned only in this response) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name: string;
                        scopes: string[];
                        /** @description Seconds until the key expires; omit for a key that does not expire */
                        expires_in?: number;
                        /** @description A key-pair key: the holder’s public JWK (EC P-256, Ed25519 or RSA ≥ 2048 bits); the key gets no secret */
                        public_key?: Record<string, never>;
                        /** @description true: a key-pair key whose private key is generated here and returned only in this response */
                        generate_key_pair?: boolean;
                        /**
                         * @description With public_key or generate_key_pair: the one algorithm the key signs with (default ES256)
                         * @enum {string}
                         */
                        alg?: "ES256" | "RS256" | "PS256" | "EdDSA";
                        /** @description The workspace (id or slug) the key acts in; a user's key then holds at most its owner's role there, at every use. Omit for a tenant-wide key */
                        workspace?: string;
                        /** @description The owner; omit or null for a service key */
                        user_id?: string | null;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            name: string;
                            user_id: string | null;
                            /**
                             * @description secret: presented as pcl_<id>_<secret>; key_pair: proven by a signed JWT (the JWT bearer grant)
                             * @enum {string}
                             */
                            kind: "secret" | "key_pair";
                            /** @description A key-pair key: RFC 7638 SHA-256 JWK thumbprint */
                            public_key_thumbprint: string | null;
                            /** @description A key-pair key: the one algorithm its assertions may use */
                            public_key_alg: string | null;
                            scopes: string[];
                            /** @enum {string} */
                            status: "active" | "expired" | "revoked";
                            /** Format: date-time */
                            expires_at: string | null;
                            /**
                             * Format: date-time
                             * @description Updated at most once per ACCESS_KEY_LAST_USED_INTERVAL
                             */
                            last_used_at: string | null;
                            /** Format: date-time */
                            revoked_at: string | null;
                            /** @description The key this one was created with through /v1/me: it expires no later and is revoked with it */
                            parent_id: string | null;
                            /** Format: date-time */
                            created_at: string;
                            /** @description A secret key: pcl_<id>_<secret>, shown only in this response */
                            key?: string;
                            /** @description A key-pair key: its public JWK, as stored */
                            public_key?: {
                                [key: string]: string;
                            };
                            /** @description generate_key_pair: the private key as a JWK (kid = the key id), shown only in this response */
                            private_key_jwk?: {
                                [key: string]: string;
                            };
                            /** @description generate_key_pair: the same private key, PKCS #8 PEM, shown only in this response */
                            private_key_pem?: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
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
    "/admin/v1/access-keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get an access key */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
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
                            id: string;
                            name: string;
                            user_id: string | null;
                            /**
                             * @description secret: presented as pcl_<id>_<secret>; key_pair: proven by a signed JWT (the JWT bearer grant)
                             * @enum {string}
                             */
                            kind: "secret" | "key_pair";
                            /** @description A key-pair key: RFC 7638 SHA-256 JWK thumbprint */
                            public_key_thumbprint: string | null;
                            /** @description A key-pair key: the one algorithm its assertions may use */
                            public_key_alg: string | null;
                            scopes: string[];
                            /** @enum {string} */
                            status: "active" | "expired" | "revoked";
                            /** Format: date-time */
                            expires_at: string | null;
                            /**
                             * Format: date-time
                             * @description Updated at most once per ACCESS_KEY_LAST_USED_INTERVAL
                             */
                            last_used_at: string | null;
                            /** Format: date-time */
                            revoked_at: string | null;
                            /** @description The key this one was created with through /v1/me: it expires no later and is revoked with it */
                            parent_id: string | null;
                            /** Format: date-time */
                            created_at: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
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
    "/admin/v1/access-keys/{id}/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Revoke an access key (at once on this instance, within ACCESS_KEY_CACHE_TTL seconds on the others) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
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
                            id: string;
                            name: string;
                            user_id: string | null;
                            /**
                             * @description secret: presented as pcl_<id>_<secret>; key_pair: proven by a signed JWT (the JWT bearer grant)
                             * @enum {string}
                             */
                            kind: "secret" | "key_pair";
                            /** @description A key-pair key: RFC 7638 SHA-256 JWK thumbprint */
                            public_key_thumbprint: string | null;
                            /** @description A key-pair key: the one algorithm its assertions may use */
                            public_key_alg: string | null;
                            scopes: string[];
                            /** @enum {string} */
                            status: "active" | "expired" | "revoked";
                            /** Format: date-time */
                            expires_at: string | null;
                            /**
                             * Format: date-time
                             * @description Updated at most once per ACCESS_KEY_LAST_USED_INTERVAL
                             */
                            last_used_at: string | null;
                            /** Format: date-time */
                            revoked_at: string | null;
                            /** @description The key this one was created with through /v1/me: it expires no later and is revoked with it */
                            parent_id: string | null;
                            /** Format: date-time */
                            created_at: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
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
    "/admin/v1/workspaces": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the caller's tenant's workspaces */
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
                            items: {
                                id: string;
                                tenant_id: string;
                                slug: string;
                                name: string;
                                /** Format: date-time */
                                created_at: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        /** Create a workspace in the caller's tenant */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description Lower-case letters, digits, hyphens */
                        slug: string;
                        name: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            tenant_id: string;
                            slug: string;
                            name: string;
                            /** Format: date-time */
                            created_at: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
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
    "/admin/v1/workspaces/{workspace}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Delete a workspace: its memberships go, its access keys are revoked */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    workspace: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/roles": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the caller's tenant's roles */
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
                            items: {
                                id: string;
                                name: string;
                                scopes: string[];
                                /** Format: date-time */
                                created_at: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        /** Create a role (a name and its scopes) in the caller's tenant */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name: string;
                        scopes: string[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            name: string;
                            scopes: string[];
                            /** Format: date-time */
                            created_at: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
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
    "/admin/v1/roles/{role}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Replace a role's scopes: its members' keys follow within ACCESS_KEY_CACHE_TTL */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    role: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        scopes: string[];
                    };
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
                            id: string;
                            name: string;
                            scopes: string[];
                            /** Format: date-time */
                            created_at: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
        };
        trace?: never;
    };
    "/admin/v1/workspaces/{workspace}/members": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List a workspace's members and their roles */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    workspace: string;
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
                            items: {
                                user_id: string;
                                workspace_id: string;
                                role: string;
                                scopes: string[];
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
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
    "/admin/v1/workspaces/{workspace}/members/{userId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Make a user a member of the workspace with a role, or change their role there */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    workspace: string;
                    userId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        role: string;
                    };
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
                            user_id: string;
                            workspace_id: string;
                            role: string;
                            scopes: string[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
        };
        post?: never;
        /** Remove a user from the workspace: their keys there stop working */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    workspace: string;
                    userId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List audit events, newest first */
        get: {
            parameters: {
                query?: {
                    /** @description The next_cursor of the previous page */
                    after?: string;
                    limit?: number;
                    /** @description e.g. access_key.created */
                    type?: string;
                    /** @description Who acted, exactly as listed (e.g. user:<id>, client:<id>, cli:<name>) */
                    actor?: string;
                    /** @description Events at or after this time (ISO 8601) */
                    since?: string;
                    /** @description Events before this time (ISO 8601) */
                    until?: string;
                    /** @description Operators: one tenant's events (id or slug); a tenant's admins always read their own */
                    tenant?: string;
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
                        "application/json": {
                            items: {
                                id: string;
                                type: string;
                                /** @description user:<id>, client:<id>, access_key:<id>, cli:<OS user name> or system */
                                actor: string | null;
                                subject: string | null;
                                ip: string | null;
                                details: {
                                    [key: string]: unknown;
                                };
                                /** Format: date-time */
                                created_at: string;
                            }[];
                            /** @description Pass as `after` for the next page; null on the last */
                            next_cursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
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
    "/admin/v1/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Usage of every access key and client of every tenant together (an overview; operators only)
         * @description The counts of every access key and client, summed. A token issued through a client for an access key (token exchange, JWT bearer) counts once for each: subject_type selects one side.
         */
        get: {
            parameters: {
                query?: {
                    /** @description RFC 3339 date-time (encode "+" as %2B); default: 24 hours before `to`. Widened to the start of its hour or day */
                    from?: string;
                    /** @description RFC 3339 date-time; default: now. Widened to the end of its hour or day; at most 366 days after from */
                    to?: string;
                    /** @description Bucket size (UTC) */
                    granularity?: "hour" | "day";
                    /** @description Only the counts of access keys, or only those of clients */
                    subject_type?: "access_key" | "client";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Requests counted per hour by kind: token.<grant> (an access token issued: client_credentials, password, refresh_token, authorization_code, token_exchange, jwt_bearer), introspection, api (an admin API or /v1/me call authenticated by the access key), refused (a wrong secret, a revoked or expired key, a missing scope, a token request answered with an error) and throttled (a token request over RATE_LIMIT_PER_CLIENT). Each instance writes its counts every USAGE_FLUSH_INTERVAL. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /**
                             * Format: date-time
                             * @description The start of the first bucket of the period
                             */
                            from: string;
                            /**
                             * Format: date-time
                             * @description The end of the last bucket of the period (exclusive)
                             */
                            to: string;
                            /** @enum {string} */
                            granularity: "hour" | "day";
                            /** @description Only the buckets with any count, ascending */
                            buckets: {
                                /** Format: date-time */
                                start: string;
                                /** @description The kinds counted in this bucket (only those above zero): token.client_credentials, token.password, token.refresh_token, token.authorization_code, token.token_exchange, token.jwt_bearer, introspection, api, refused, throttled */
                                counts: {
                                    [key: string]: number;
                                };
                            }[];
                            /** @description The sums over the period (only the kinds above zero): token.client_credentials, token.password, token.refresh_token, token.authorization_code, token.token_exchange, token.jwt_bearer, introspection, api, refused, throttled */
                            totals: {
                                [key: string]: number;
                            };
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
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
    "/admin/v1/access-keys/{id}/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Usage of an access key, per hour or day */
        get: {
            parameters: {
                query?: {
                    /** @description RFC 3339 date-time (encode "+" as %2B); default: 24 hours before `to`. Widened to the start of its hour or day */
                    from?: string;
                    /** @description RFC 3339 date-time; default: now. Widened to the end of its hour or day; at most 366 days after from */
                    to?: string;
                    /** @description Bucket size (UTC) */
                    granularity?: "hour" | "day";
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Requests counted per hour by kind: token.<grant> (an access token issued: client_credentials, password, refresh_token, authorization_code, token_exchange, jwt_bearer), introspection, api (an admin API or /v1/me call authenticated by the access key), refused (a wrong secret, a revoked or expired key, a missing scope, a token request answered with an error) and throttled (a token request over RATE_LIMIT_PER_CLIENT). Each instance writes its counts every USAGE_FLUSH_INTERVAL. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /**
                             * Format: date-time
                             * @description The start of the first bucket of the period
                             */
                            from: string;
                            /**
                             * Format: date-time
                             * @description The end of the last bucket of the period (exclusive)
                             */
                            to: string;
                            /** @enum {string} */
                            granularity: "hour" | "day";
                            /** @description Only the buckets with any count, ascending */
                            buckets: {
                                /** Format: date-time */
                                start: string;
                                /** @description The kinds counted in this bucket (only those above zero): token.client_credentials, token.password, token.refresh_token, token.authorization_code, token.token_exchange, token.jwt_bearer, introspection, api, refused, throttled */
                                counts: {
                                    [key: string]: number;
                                };
                            }[];
                            /** @description The sums over the period (only the kinds above zero): token.client_credentials, token.password, token.refresh_token, token.authorization_code, token.token_exchange, token.jwt_bearer, introspection, api, refused, throttled */
                            totals: {
                                [key: string]: number;
                            };
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
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
    "/admin/v1/clients/{clientId}/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Usage of a client, per hour or day */
        get: {
            parameters: {
                query?: {
                    /** @description RFC 3339 date-time (encode "+" as %2B); default: 24 hours before `to`. Widened to the start of its hour or day */
                    from?: string;
                    /** @description RFC 3339 date-time; default: now. Widened to the end of its hour or day; at most 366 days after from */
                    to?: string;
                    /** @description Bucket size (UTC) */
                    granularity?: "hour" | "day";
                };
                header?: never;
                path: {
                    clientId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Requests counted per hour by kind: token.<grant> (an access token issued: client_credentials, password, refresh_token, authorization_code, token_exchange, jwt_bearer), introspection, api (an admin API or /v1/me call authenticated by the access key), refused (a wrong secret, a revoked or expired key, a missing scope, a token request answered with an error) and throttled (a token request over RATE_LIMIT_PER_CLIENT). Each instance writes its counts every USAGE_FLUSH_INTERVAL. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /**
                             * Format: date-time
                             * @description The start of the first bucket of the period
                             */
                            from: string;
                            /**
                             * Format: date-time
                             * @description The end of the last bucket of the period (exclusive)
                             */
                            to: string;
                            /** @enum {string} */
                            granularity: "hour" | "day";
                            /** @description Only the buckets with any count, ascending */
                            buckets: {
                                /** Format: date-time */
                                start: string;
                                /** @description The kinds counted in this bucket (only those above zero): token.client_credentials, token.password, token.refresh_token, token.authorization_code, token.token_exchange, token.jwt_bearer, introspection, api, refused, throttled */
                                counts: {
                                    [key: string]: number;
                                };
                            }[];
                            /** @description The sums over the period (only the kinds above zero): token.client_credentials, token.password, token.refresh_token, token.authorization_code, token.token_exchange, token.jwt_bearer, introspection, api, refused, throttled */
                            totals: {
                                [key: string]: number;
                            };
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
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
    "/admin/v1/signing-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the signing keys, newest first, with their states */
        get: {
            parameters: {
                query?: {
                    /** @description The next_cursor of the previous page */
                    after?: string;
                    limit?: number;
                    /** @description A JWS algorithm of SIGNING_ALGORITHMS: each has its own keys */
                    alg?: "RS256" | "PS256" | "ES256" | "EdDSA";
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
                        "application/json": {
                            items: {
                                kid: string;
                                /** @enum {string} */
                                state: "next" | "active" | "retired" | "removed" | "revoked";
                                /** @enum {string} */
                                alg: "RS256" | "PS256" | "ES256" | "EdDSA";
                                /** @description The RSA modulus in bits; 256 for ES256 and EdDSA keys */
                                modulus_length: number;
                                generation: number;
                                /** Format: date-time */
                                created_at: string;
                                /** Format: date-time */
                                activates_at: string;
                                /** Format: date-time */
                                retires_at: string | null;
                                /** Format: date-time */
                                removes_at: string | null;
                                /** Format: date-time */
                                revoked_at: string | null;
                            }[];
                            /** @description Pass as `after` for the next page; null on the last */
                            next_cursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
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
    "/admin/v1/signing-keys/rotate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start a rotation: a new key, published now, signing after the pre-publication delay (immediate: at once) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @default false */
                        immediate?: boolean;
                        /**
                         * @description The algorithm whose key rotates (default: the first of SIGNING_ALGORITHMS)
                         * @enum {string}
                         */
                        alg?: "RS256" | "PS256" | "ES256" | "EdDSA";
                    } | null;
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
                            /** @description false when a rotation was already under way: key is the pending key */
                            changed: boolean;
                            immediate: boolean;
                            key: {
                                kid: string;
                                /** @enum {string} */
                                state: "next" | "active" | "retired" | "removed" | "revoked";
                                /** @enum {string} */
                                alg: "RS256" | "PS256" | "ES256" | "EdDSA";
                                /** @description The RSA modulus in bits; 256 for ES256 and EdDSA keys */
                                modulus_length: number;
                                generation: number;
                                /** Format: date-time */
                                created_at: string;
                                /** Format: date-time */
                                activates_at: string;
                                /** Format: date-time */
                                retires_at: string | null;
                                /** Format: date-time */
                                removes_at: string | null;
                                /** Format: date-time */
                                revoked_at: string | null;
                            };
                            previous: {
                                kid: string;
                                /** @enum {string} */
                                state: "next" | "active" | "retired" | "removed" | "revoked";
                                /** @enum {string} */
                                alg: "RS256" | "PS256" | "ES256" | "EdDSA";
                                /** @description The RSA modulus in bits; 256 for ES256 and EdDSA keys */
                                modulus_length: number;
                                generation: number;
                                /** Format: date-time */
                                created_at: string;
                                /** Format: date-time */
                                activates_at: string;
                                /** Format: date-time */
                                retires_at: string | null;
                                /** Format: date-time */
                                removes_at: string | null;
                                /** Format: date-time */
                                revoked_at: string | null;
                            } | null;
                            /** @description Set when consumers with a cached JWKS may reject tokens of the new key for a while */
                            warning: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
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
    "/admin/v1/signing-keys/{kid}/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Revoke a key: out of the JWKS at once; if it was signing, another key takes over */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    kid: string;
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
                            key: {
                                kid: string;
                                /** @enum {string} */
                                state: "next" | "active" | "retired" | "removed" | "revoked";
                                /** @enum {string} */
                                alg: "RS256" | "PS256" | "ES256" | "EdDSA";
                                /** @description The RSA modulus in bits; 256 for ES256 and EdDSA keys */
                                modulus_length: number;
                                generation: number;
                                /** Format: date-time */
                                created_at: string;
                                /** Format: date-time */
                                activates_at: string;
                                /** Format: date-time */
                                retires_at: string | null;
                                /** Format: date-time */
                                removes_at: string | null;
                                /** Format: date-time */
                                revoked_at: string | null;
                            };
                            successor: {
                                kid: string;
                                /** @enum {string} */
                                state: "next" | "active" | "retired" | "removed" | "revoked";
                                /** @enum {string} */
                                alg: "RS256" | "PS256" | "ES256" | "EdDSA";
                                /** @description The RSA modulus in bits; 256 for ES256 and EdDSA keys */
                                modulus_length: number;
                                generation: number;
                                /** Format: date-time */
                                created_at: string;
                                /** Format: date-time */
                                activates_at: string;
                                /** Format: date-time */
                                retires_at: string | null;
                                /** Format: date-time */
                                removes_at: string | null;
                                /** Format: date-time */
                                revoked_at: string | null;
                            } | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
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
    "/admin/v1/tenants": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the tenants (operators) */
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
                            items: {
                                id: string;
                                slug: string;
                                name: string;
                                /** Format: date-time */
                                created_at: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        /** Create a tenant (operators) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description Lower-case letters, digits, hyphens */
                        slug: string;
                        name: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            slug: string;
                            name: string;
                            /** Format: date-time */
                            created_at: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
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
    "/admin/v1/tenants/{tenant}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Delete a tenant with everything it owns (operators) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    tenant: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/tenants/{tenant}/access-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Create an access key in a tenant (operators): e.g. a service key with scope admin for the tenant's own admins */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    tenant: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name: string;
                        scopes: string[];
                        /** @description Seconds until the key expires; omit for a key that does not expire */
                        expires_in?: number;
                        /** @description A key-pair key: the holder’s public JWK (EC P-256, Ed25519 or RSA ≥ 2048 bits); the key gets no secret */
                        public_key?: Record<string, never>;
                        /** @description true: a key-pair key whose private key is generated here and returned only in this response */
                        generate_key_pair?: boolean;
                        /**
                         * @description With public_key or generate_key_pair: the one algorithm the key signs with (default ES256)
                         * @enum {string}
                         */
                        alg?: "ES256" | "RS256" | "PS256" | "EdDSA";
                        /** @description The workspace (id or slug) the key acts in; a user's key then holds at most its owner's role there, at every use. Omit for a tenant-wide key */
                        workspace?: string;
                        user_id?: string | null;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            name: string;
                            user_id: string | null;
                            /**
                             * @description secret: presented as pcl_<id>_<secret>; key_pair: proven by a signed JWT (the JWT bearer grant)
                             * @enum {string}
                             */
                            kind: "secret" | "key_pair";
                            /** @description A key-pair key: RFC 7638 SHA-256 JWK thumbprint */
                            public_key_thumbprint: string | null;
                            /** @description A key-pair key: the one algorithm its assertions may use */
                            public_key_alg: string | null;
                            scopes: string[];
                            /** @enum {string} */
                            status: "active" | "expired" | "revoked";
                            /** Format: date-time */
                            expires_at: string | null;
                            /**
                             * Format: date-time
                             * @description Updated at most once per ACCESS_KEY_LAST_USED_INTERVAL
                             */
                            last_used_at: string | null;
                            /** Format: date-time */
                            revoked_at: string | null;
                            /** @description The key this one was created with through /v1/me: it expires no later and is revoked with it */
                            parent_id: string | null;
                            /** Format: date-time */
                            created_at: string;
                            /** @description A secret key: pcl_<id>_<secret>, shown only in this response */
                            key?: string;
                            /** @description A key-pair key: its public JWK, as stored */
                            public_key?: {
                                [key: string]: string;
                            };
                            /** @description generate_key_pair: the private key as a JWK (kid = the key id), shown only in this response */
                            private_key_jwk?: {
                                [key: string]: string;
                            };
                            /** @description generate_key_pair: the same private key, PKCS #8 PEM, shown only in this response */
                            private_key_pem?: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
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
    "/admin/v1/login-requests/{challenge}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read a login request (LOGIN_URL was given its challenge) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    challenge: string;
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
                            challenge: string;
                            client: {
                                client_id: string;
                                name: string;
                            };
                            requested_scope: string[];
                            login_hint: string | null;
                            /** @description login: ask for credentials even if the app remembers the user */
                            prompt: string[];
                            /** @description Seconds (OpenID Connect) */
                            max_age: number | null;
                            /** @description Always false: a browser whose session suffices (Hydra’s skip: true) is answered by Portcullis itself and never sent to the login app */
                            skip: boolean;
                            /** @description The user of the browser’s session, when it has one that is not enough for this request (prompt=login, max_age) */
                            subject: string | null;
                            /** Format: date-time */
                            requested_at: string;
                            /** Format: date-time */
                            expires_at: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
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
    "/admin/v1/login-requests/{challenge}/accept": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Accept a login request: the user signed in (subject: an enabled user’s id or username); remember keeps the session in the browser */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    challenge: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        subject: string;
                        /**
                         * @description Set the session cookie (SESSION_TTL): later requests skip the login
                         * @default false
                         */
                        remember?: boolean;
                    };
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
                            /** @description Send the browser here (303): back to the authorization request, which goes on */
                            redirect_to: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
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
    "/admin/v1/login-requests/{challenge}/reject": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Reject a login request: the client gets the error */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    challenge: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /**
                         * @description Sent on to the client
                         * @default access_denied
                         * @enum {string}
                         */
                        error?: "access_denied" | "login_required" | "consent_required" | "temporarily_unavailable";
                        /** @description Sent on to the client (RFC 6749 §4.1.2.1: printable ASCII without " and \) */
                        error_description?: string;
                    } | null;
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
                            /** @description Send the browser here (303): back to the authorization request, which goes on */
                            redirect_to: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
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
    "/admin/v1/consent-requests/{challenge}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read a consent request (CONSENT_URL was given its challenge) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    challenge: string;
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
                            challenge: string;
                            client: {
                                client_id: string;
                                name: string;
                            };
                            /** @description The user’s id */
                            subject: string;
                            username: string;
                            /** @description What the client asked for, within the user’s scopes */
                            requested_scope: string[];
                            /** @description Always false: a remembered consent that covers the request (Hydra’s skip: true) is answered by Portcullis itself and never sent to the consent app */
                            skip: boolean;
                            /** Format: date-time */
                            requested_at: string;
                            /** Format: date-time */
                            expires_at: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
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
    "/admin/v1/consent-requests/{challenge}/accept": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Accept a consent request: grant_scope (within requested_scope) goes into the code; remember keeps the consent */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    challenge: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        grant_scope: string[];
                        /**
                         * @description Remember the consent: later requests for these scopes are not asked again
                         * @default false
                         */
                        remember?: boolean;
                    };
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
                            /** @description Send the browser here (303): back to the authorization request, which goes on */
                            redirect_to: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
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
    "/admin/v1/consent-requests/{challenge}/reject": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Reject a consent request: the client gets the error */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    challenge: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /**
                         * @description Sent on to the client
                         * @default access_denied
                         * @enum {string}
                         */
                        error?: "access_denied" | "login_required" | "consent_required" | "temporarily_unavailable";
                        /** @description Sent on to the client (RFC 6749 §4.1.2.1: printable ASCII without " and \) */
                        error_description?: string;
                    } | null;
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
                            /** @description Send the browser here (303): back to the authorization request, which goes on */
                            redirect_to: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
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
    "/v1/me/access-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List my access keys (never a key) */
        get: {
            parameters: {
                query?: {
                    /** @description The next_cursor of the previous page */
                    after?: string;
                    limit?: number;
                    active?: boolean;
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
                        "application/json": {
                            items: {
                                id: string;
                                name: string;
                                user_id: string | null;
                                /**
                                 * @description secret: presented as pcl_<id>_<secret>; key_pair: proven by a signed JWT (the JWT bearer grant)
                                 * @enum {string}
                                 */
                                kind: "secret" | "key_pair";
                                /** @description A key-pair key: RFC 7638 SHA-256 JWK thumbprint */
                                public_key_thumbprint: string | null;
                                /** @description A key-pair key: the one algorithm its assertions may use */
                                public_key_alg: string | null;
                                scopes: string[];
                                /** @enum {string} */
                                status: "active" | "expired" | "revoked";
                                /** Format: date-time */
                                expires_at: string | null;
                                /**
                                 * Format: date-time
                                 * @description Updated at most once per ACCESS_KEY_LAST_USED_INTERVAL
                                 */
                                last_used_at: string | null;
                                /** Format: date-time */
                                revoked_at: string | null;
                                /** @description The key this one was created with through /v1/me: it expires no later and is revoked with it */
                                parent_id: string | null;
                                /** Format: date-time */
                                created_at: string;
                            }[];
                            /** @description Pass as `after` for the next page; null on the last */
                            next_cursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        /** Create an access key of my own: a secret key, or a key-pair key (public_key or generate_key_pair; a generated private key is returned only in this response) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name: string;
                        scopes: string[];
                        /** @description Seconds until the key expires; omit for a key that does not expire */
                        expires_in?: number;
                        /** @description A key-pair key: the holder’s public JWK (EC P-256, Ed25519 or RSA ≥ 2048 bits); the key gets no secret */
                        public_key?: Record<string, never>;
                        /** @description true: a key-pair key whose private key is generated here and returned only in this response */
                        generate_key_pair?: boolean;
                        /**
                         * @description With public_key or generate_key_pair: the one algorithm the key signs with (default ES256)
                         * @enum {string}
                         */
                        alg?: "ES256" | "RS256" | "PS256" | "EdDSA";
                        /** @description The workspace (id or slug) the key acts in; a user's key then holds at most its owner's role there, at every use. Omit for a tenant-wide key */
                        workspace?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            name: string;
                            user_id: string | null;
                            /**
                             * @description secret: presented as pcl_<id>_<secret>; key_pair: proven by a signed JWT (the JWT bearer grant)
                             * @enum {string}
                             */
                            kind: "secret" | "key_pair";
                            /** @description A key-pair key: RFC 7638 SHA-256 JWK thumbprint */
                            public_key_thumbprint: string | null;
                            /** @description A key-pair key: the one algorithm its assertions may use */
                            public_key_alg: string | null;
                            scopes: string[];
                            /** @enum {string} */
                            status: "active" | "expired" | "revoked";
                            /** Format: date-time */
                            expires_at: string | null;
                            /**
                             * Format: date-time
                             * @description Updated at most once per ACCESS_KEY_LAST_USED_INTERVAL
                             */
                            last_used_at: string | null;
                            /** Format: date-time */
                            revoked_at: string | null;
                            /** @description The key this one was created with through /v1/me: it expires no later and is revoked with it */
                            parent_id: string | null;
                            /** Format: date-time */
                            created_at: string;
                            /** @description A secret key: pcl_<id>_<secret>, shown only in this response */
                            key?: string;
                            /** @description A key-pair key: its public JWK, as stored */
                            public_key?: {
                                [key: string]: string;
                            };
                            /** @description generate_key_pair: the private key as a JWK (kid = the key id), shown only in this response */
                            private_key_jwk?: {
                                [key: string]: string;
                            };
                            /** @description generate_key_pair: the same private key, PKCS #8 PEM, shown only in this response */
                            private_key_pem?: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
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
    "/v1/me/access-keys/{id}/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Revoke one of my access keys */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
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
                            id: string;
                            name: string;
                            user_id: string | null;
                            /**
                             * @description secret: presented as pcl_<id>_<secret>; key_pair: proven by a signed JWT (the JWT bearer grant)
                             * @enum {string}
                             */
                            kind: "secret" | "key_pair";
                            /** @description A key-pair key: RFC 7638 SHA-256 JWK thumbprint */
                            public_key_thumbprint: string | null;
                            /** @description A key-pair key: the one algorithm its assertions may use */
                            public_key_alg: string | null;
                            scopes: string[];
                            /** @enum {string} */
                            status: "active" | "expired" | "revoked";
                            /** Format: date-time */
                            expires_at: string | null;
                            /**
                             * Format: date-time
                             * @description Updated at most once per ACCESS_KEY_LAST_USED_INTERVAL
                             */
                            last_used_at: string | null;
                            /** Format: date-time */
                            revoked_at: string | null;
                            /** @description The key this one was created with through /v1/me: it expires no later and is revoked with it */
                            parent_id: string | null;
                            /** Format: date-time */
                            created_at: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
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
    "/v1/me/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List my sign-in sessions in force, newest first (never a cookie or its hash) */
        get: {
            parameters: {
                query?: {
                    /** @description The next_cursor of the previous page */
                    after?: string;
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
                        "application/json": {
                            items: {
                                /** @description Names the session here and in tokens (`sid`); not the cookie */
                                id: string;
                                user_id: string;
                                /**
                                 * Format: date-time
                                 * @description When the user signed in
                                 */
                                auth_time: string;
                                /** @description Authentication methods (RFC 8176), e.g. pwd */
                                amr: string[];
                                /** Format: date-time */
                                last_seen_at: string;
                                /** Format: date-time */
                                idle_expires_at: string;
                                /** Format: date-time */
                                expires_at: string;
                                /** Format: date-time */
                                created_at: string;
                            }[];
                            /** @description Pass as `after` for the next page; null on the last */
                            next_cursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** End every sign-in session of my, with the refresh tokens and access tokens issued in them */
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
                        "application/json": {
                            /** @description How many sessions ended */
                            ended: number;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/sessions/{sessionId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** End one sign-in session of my, with the refresh tokens and access tokens issued in it */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    sessionId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Ended */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/consents": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List my remembered consents, by client id */
        get: {
            parameters: {
                query?: {
                    /** @description The next_cursor of the previous page */
                    after?: string;
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
                        "application/json": {
                            items: {
                                client_id: string;
                                user_id: string;
                                scopes: string[];
                                /** Format: date-time */
                                created_at: string;
                                /** Format: date-time */
                                updated_at: string;
                            }[];
                            /** @description Pass as `after` for the next page; null on the last */
                            next_cursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
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
    "/v1/me/consents/{clientId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke my consent to a client: its next authorization request asks again; the refresh tokens and access tokens the client holds for the user end */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    clientId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Revoked */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/access-keys/{id}/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Usage of one of my access keys, per hour or day */
        get: {
            parameters: {
                query?: {
                    /** @description RFC 3339 date-time (encode "+" as %2B); default: 24 hours before `to`. Widened to the start of its hour or day */
                    from?: string;
                    /** @description RFC 3339 date-time; default: now. Widened to the end of its hour or day; at most 366 days after from */
                    to?: string;
                    /** @description Bucket size (UTC) */
                    granularity?: "hour" | "day";
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Requests counted per hour by kind: token.<grant> (an access token issued: client_credentials, password, refresh_token, authorization_code, token_exchange, jwt_bearer), introspection, api (an admin API or /v1/me call authenticated by the access key), refused (a wrong secret, a revoked or expired key, a missing scope, a token request answered with an error) and throttled (a token request over RATE_LIMIT_PER_CLIENT). Each instance writes its counts every USAGE_FLUSH_INTERVAL. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /**
                             * Format: date-time
                             * @description The start of the first bucket of the period
                             */
                            from: string;
                            /**
                             * Format: date-time
                             * @description The end of the last bucket of the period (exclusive)
                             */
                            to: string;
                            /** @enum {string} */
                            granularity: "hour" | "day";
                            /** @description Only the buckets with any count, ascending */
                            buckets: {
                                /** Format: date-time */
                                start: string;
                                /** @description The kinds counted in this bucket (only those above zero): token.client_credentials, token.password, token.refresh_token, token.authorization_code, token.token_exchange, token.jwt_bearer, introspection, api, refused, throttled */
                                counts: {
                                    [key: string]: number;
                                };
                            }[];
                            /** @description The sums over the period (only the kinds above zero): token.client_credentials, token.password, token.refresh_token, token.authorization_code, token.token_exchange, token.jwt_bearer, introspection, api, refused, throttled */
                            totals: {
                                [key: string]: number;
                            };
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
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
    "/console": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The web console: redirects to /console/ */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description To /console/ */
                302: {
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
    "/console/": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The web console, a single-page app */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The app’s page (never cached: it names the current build’s assets) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/html": string;
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
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
    "/console/{page}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A page of the web console (the app routes in the browser): its callback, clients, users, … */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    page: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The app’s page (never cached: it names the current build’s assets) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/html": string;
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
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
    "/console/assets/{file}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A script or stylesheet of the web console (content-hashed name) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    file: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The file, cached for a year (its name changes with its content) */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/javascript": string;
                        "text/css": string;
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: string;
                            error_description: string;
                            details?: {
                                field: string;
                                message: string;
                            }[];
                        };
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
        /** @description An error, in the shape of RFC 6749 §5.2 on every route */
        Error: {
            /**
             * @description An RFC 6749 / 6750 / 7009 / 8693 error code, or not_found, conflict, too_many_requests, server_error, service_unavailable
             * @example invalid_request
             */
            error: string;
            /** @description Human-readable; never contains a secret */
            error_description: string;
            /** @description Per-field validation failures (admin API) */
            details?: {
                field: string;
                message: string;
            }[];
        };
        /** @description Authorization server metadata (RFC 8414 §2) */
        ServerMetadata: {
            /** Format: uri */
            issuer: string;
            /** Format: uri */
            token_endpoint: string;
            /** Format: uri */
            jwks_uri: string;
            /** Format: uri */
            authorization_endpoint: string;
            /** Format: uri */
            userinfo_endpoint: string;
            /** Format: uri */
            end_session_endpoint: string;
            /** Format: uri */
            revocation_endpoint: string;
            /** Format: uri */
            introspection_endpoint: string;
            grant_types_supported: string[];
            response_types_supported: string[];
            response_modes_supported?: string[];
            code_challenge_methods_supported?: string[];
            authorization_response_iss_parameter_supported?: boolean;
            token_endpoint_auth_methods_supported: string[];
            token_endpoint_auth_signing_alg_values_supported?: string[];
            revocation_endpoint_auth_methods_supported: string[];
            revocation_endpoint_auth_signing_alg_values_supported?: string[];
            introspection_endpoint_auth_methods_supported: string[];
            introspection_endpoint_auth_signing_alg_values_supported?: string[];
            scopes_supported: string[];
            subject_types_supported: string[];
            id_token_signing_alg_values_supported: string[];
            dpop_signing_alg_values_supported?: string[];
            claims_supported?: string[];
            prompt_values_supported?: string[];
            /** Format: uri */
            service_documentation: string;
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
