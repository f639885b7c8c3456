// What the flow code gives each page. Every string is shown as text (the templates escape it); none is HTML.

/** Hidden form fields the page sends back unchanged (e.g. the authorization request's id). */
export type HiddenFields = Readonly<Record<string, string>>

export interface LoginModel {
  /** Where the form POSTs (`username`, `password`, `_csrf` and `hidden`). */
  action: string
  clientName: string
  hidden?: HiddenFields
  /** Shown above the form, e.g. "Wrong username or password." */
  error?: string
  /** Prefilled username (after a failure, or from login_hint). */
  username?: string
  /** The client's redirect URI when the POST may end in a redirect to it (added to the CSP's form-action). */
  redirectTarget?: string
}

export interface ScopeItem {
  name: string
  /** A sentence for people; a few standard scopes have one by default (DEFAULT_SCOPE_DESCRIPTIONS). */
  description?: string
}

export interface ConsentModel {
  /** Where the form POSTs (`consent=allow|deny`, `_csrf` and `hidden`). */
  action: string
  clientName: string
  scopes: readonly ScopeItem[]
  hidden?: HiddenFields
  /** Who is signed in, shown so that a person on a shared computer notices the wrong account. */
  username?: string
  redirectTarget?: string
}

export interface ErrorModel {
  title: string
  message: string
  /** A same-site path or an http(s) URL; anything else (javascript:) is dropped. */
  backUrl?: string
  backLabel?: string
}

export interface LoggedOutModel {
  message?: string
}

export interface LogoutConfirmModel {
  /** Where the form POSTs (`_csrf` and `hidden`). */
  action: string
  clientName?: string
  hidden?: HiddenFields
  redirectTarget?: string
}

/** OAuth 2.0 Form Post Response Mode: the authorization response POSTed to the client's redirect URI. */
export interface FormPostModel {
  redirectUri: string
  params: Readonly<Record<string, string>>
}

export const DEFAULT_SCOPE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  openid: 'Confirm who you are (your user id)',
  profile: 'See your name',
  email: 'See your email address',
  offline_access: 'Stay signed in to the app when you are away (a refresh token)',
}
