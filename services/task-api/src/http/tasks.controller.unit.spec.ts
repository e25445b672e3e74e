// The command routes task-api serves are the contract's (COMMAND_HTTP_ROUTES), which the projection,
// the clients' one origin, forwards: a route added here and not there would be unreachable through it.

import 'reflect-metadata';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { COMMAND_HTTP_ROUTES } from '@vle/contracts';
import { describe, expect, it } from 'vitest';
import { TasksController } from './tasks.controller.js';

describe("task-api's command routes", () => {
  it('are exactly COMMAND_HTTP_ROUTES, each a POST', () => {
    const base = Reflect.getMetadata(PATH_METADATA, TasksController) as string;
    const routes = Object.getOwnPropertyNames(TasksController.prototype)
      .filter((name) => name !== 'constructor')
      .map((name) => {
        const handler = (TasksController.prototype as unknown as Record<string, object>)[name]!;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string;
        return { name, path: `/${base}${path === '/' ? '' : `/${path}`}`, method: Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod };
      });
    expect(Object.fromEntries(routes.map((r) => [r.name, r.path]))).toEqual(COMMAND_HTTP_ROUTES);
    expect(new Set(routes.map((r) => r.method))).toEqual(new Set([RequestMethod.POST]));
  });
});
