/** The checkpoint name of the tasks/sub_tasks read model (the service and the rebuild share it). */
export const TASKS_PROJECTION = 'tasks';
