export declare const GENERATED_FILE: URL;
export declare function renderOpenApiTypes(document: object): Promise<string>;
