export * from './vmid-reservations.js';
export * from './pve-inventory.js';
