import { createApp } from 'vue';
import App from './App.vue';
import { router } from './router.js';
import { takeTokenFromLocation } from './session.js';
import './style.css';

takeTokenFromLocation();
createApp(App).use(router).mount('#app');
