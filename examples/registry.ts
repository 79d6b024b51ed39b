/** The registry the examples use: IONOS_REGISTRY_ID, else the emulator's fixed default registry. */
export const EMULATOR_REGISTRY_ID = '5b2a4e1c-9d3f-4c2b-8a7e-1f0e9d8c7b6a';
export const registryId = process.env.IONOS_REGISTRY_ID ?? EMULATOR_REGISTRY_ID;
