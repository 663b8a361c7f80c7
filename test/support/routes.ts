import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import { IS_PUBLIC, ROLES_KEY } from '@shared/auth/decorators';
import { ROOT_ROUTES } from '../../src/bootstrap';

export interface FastifyRoute {
  method: string;
  path: string;
}

/**
 * Every route Fastify serves, from `printRoutes({ commonPrefix: false })`: a tree whose lines are
 * `├── <segment> (GET, HEAD)`, four columns per level, each segment appended to its parent's path.
 */
export function fastifyRoutes(app: NestFastifyApplication): FastifyRoute[] {
  const tree = app.getHttpAdapter().getInstance().printRoutes({ commonPrefix: false });
  const stack: string[] = [];
  const out: FastifyRoute[] = [];
  for (const line of tree.split('\n')) {
    const m = /^((?:│ {3}| {4})*)(?:├── |└── )(.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    const full = (depth > 0 ? stack[depth - 1]! : '') + m[2]!;
    stack[depth] = full;
    stack.length = depth + 1;
    for (const method of (m[3] ?? '').split(',').map((s) => s.trim()).filter(Boolean)) out.push({ method, path: full });
  }
  return out;
}

export interface NestRoute {
  method: string;
  /** full path as served, `:param` style */
  path: string;
  controller: string;
  handler: string;
  isPublic: boolean;
  roles: string[] | undefined;
}

/** Every Nest handler with its full path and its `@Public()` / `@Roles()` metadata (method over class). */
export function nestRoutes(app: NestFastifyApplication): NestRoute[] {
  const reflector = new Reflector();
  const scanner = new MetadataScanner();
  const out: NestRoute[] = [];
  const seen = new Set<unknown>();
  for (const mod of app.get(ModulesContainer).values()) {
    for (const wrapper of mod.controllers.values()) {
      const ctrl = wrapper.metatype as Type | undefined;
      if (!ctrl || seen.has(ctrl)) continue;
      seen.add(ctrl);
      const ctrlPaths = ([] as string[]).concat(Reflect.getMetadata(PATH_METADATA, ctrl) ?? '/');
      for (const name of scanner.getAllMethodNames(ctrl.prototype)) {
        const handler = (ctrl.prototype as Record<string, unknown>)[name] as (...a: unknown[]) => unknown;
        const methodPath = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        const requestMethod = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (methodPath === undefined || requestMethod === undefined) continue;
        for (const cp of ctrlPaths) {
          for (const mp of ([] as string[]).concat(methodPath)) {
            const rel = [cp, mp].map((p) => p.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/');
            const path = ROOT_ROUTES.includes(rel) ? `/${rel}` : `/api/v1/${rel}`.replace(/\/$/, '');
            out.push({
              method: RequestMethod[requestMethod],
              path,
              controller: ctrl.name,
              handler: name,
              isPublic: reflector.getAllAndOverride<boolean>(IS_PUBLIC, [handler, ctrl]) === true,
              roles: reflector.getAllAndOverride<string[] | undefined>(ROLES_KEY, [handler, ctrl]),
            });
          }
        }
      }
    }
  }
  return out;
}
