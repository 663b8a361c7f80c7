import createClient, { type Middleware } from 'openapi-fetch';
import { session } from '../auth/session';
import type { ApiData } from './contract';
import { ApiError } from './errors';
import type { paths } from './schema';

/**
 * Adds the bearer to every call and turns every answer that is not a success into an `ApiError`
 * (code, message, requestId), so callers only ever see data or a typed error. A 401 signs out:
 * the token expired or was refused.
 */
const auth: Middleware = {
  onRequest({ request }) {
    const s = session.get();
    if (s) request.headers.set('authorization', `Bearer ${s.token}`);
    return request;
  },
  async onResponse({ response }) {
    if (response.ok) return response;
    const err = await ApiError.from(response);
    if (response.status === 401 && session.get()) session.signOut();
    throw err;
  },
};

/** The typed client (paths, parameters and bodies from the OpenAPI document). Same origin as the console. */
export const api = createClient<paths>({ baseUrl: window.location.origin });
api.use(auth);

declare const contract: unique symbol;
/** A marker naming the contract's type of a response: `ok(api.GET(...), shape<Page<Video>>())`. */
export type Shape<C> = { readonly [contract]?: C };
export const shape = <C>(): Shape<C> => ({});

/** The data of a successful call (errors were thrown by the middleware), typed by the document or else by the contract. */
export async function ok<C, G>(
  call: Promise<{ data?: G; response: Response }>,
  _shape: Shape<C>,
): Promise<ApiData<G, C>> {
  const res = await call;
  return res.data as ApiData<G, C>;
}
