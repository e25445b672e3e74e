// The screens and their addresses, which other OpenVLE pages and notifications link to:
// /tasks (?eventId=…, ?objectType=vm&objectId=…, ?q=…, ?status=failed), /tasks/<id>, /overview.

import { createRouter, createWebHistory } from 'vue-router';
import { get } from './api/client.js';
import type { Me } from './api/types.js';
import { session } from './session.js';
import NotFound from './views/NotFound.vue';
import SignIn from './views/SignIn.vue';
import TaskList from './views/TaskList.vue';

// The list is the screen most visits open first: it is in the first bundle. A Task's page (with dagre
// for its graph) and the overview are loaded when first opened, so that the list's first paint does
// not wait for their code.
const TaskDetail = () => import('./views/TaskDetail.vue');
const Overview = () => import('./views/Overview.vue');

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/', redirect: '/tasks' },
    { path: '/sign-in', name: 'sign-in', component: SignIn, meta: { public: true, title: 'Sign in' } },
    { path: '/tasks', name: 'tasks', component: TaskList, meta: { title: 'Tasks' } },
    { path: '/tasks/:id', name: 'task', component: TaskDetail, props: true, meta: { title: 'Task' } },
    { path: '/overview', name: 'overview', component: Overview, meta: { title: 'Overview' } },
    { path: '/:rest(.*)*', name: 'not-found', component: NotFound, meta: { title: 'Not found' } },
  ],
});

router.beforeEach(async (to) => {
  if (to.meta.public) return true;
  if (!session.token) return { name: 'sign-in', query: { next: to.fullPath } };
  if (!session.me) {
    try {
      session.me = await get<Me>('/api/v1/me');
    } catch {
      // A 401 has ended the session with its reason; anything else the sign-in page says too.
      if (!session.notice) session.notice = 'The server could not be reached: try again.';
      return { name: 'sign-in', query: { next: to.fullPath } };
    }
  }
  return true;
});

router.afterEach((to) => {
  document.title = `${String(to.meta.title ?? 'Tasks')} · System → Tasks · OpenVLE`;
});
