// One ticking clock for every relative time on screen ("3 minutes ago"), instead of a timer per cell.

import { ref } from 'vue';

export const now = ref(Date.now());
setInterval(() => (now.value = Date.now()), 15_000);
