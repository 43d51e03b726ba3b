/** The datastore every Azure ML workspace has; flows and datasets are uploaded there, like the template does. */
export const defaultDatastoreName = "workspaceblobstore";
