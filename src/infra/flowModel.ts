import * as pulumi from "@pulumi/pulumi";
import * as machinelearningservices from "@pulumi/azure-native/machinelearningservices";
import * as storage from "@pulumi/azure-native/storage";
import type { InfraPlan } from "../plan/types";
import { WorkspaceRef, storageAccountId } from "./azureIds";
import { defaultDatastoreName } from "../azure/ml/workspaceDatastore";
import { longLivedTags } from "./resourceTags";
import {
  BlobSpec,
  datasetBlobSpec,
  datasetVersionProperties,
  flowBlobSpecs,
  flowModelVersionProperties,
} from "./flowAssetSpecs";

/** The storage behind the workspace's default datastore, where flows and datasets are uploaded. */
export interface DatastoreStorage {
  accountName: string;
  containerName: string;
  resourceGroupName: string;
  accountId: string;
}

export interface FlowModelArgs {
  plan: InfraPlan;
}

/**
 * The flow folder registered as a model version (and the datasets as data versions), the way prompt flow's own
 * tooling does it: files uploaded to the default datastore under a content-addressed path, then a version that
 * points at that path.
 *
 * Containers are not declared: Azure ML creates the model/data container on the first version PUT (the az ml CLI
 * and SDK only ever PUT versions), and a declared container would fail on workspaces where the LLMOps template
 * already created it. Every blob and version is `retainOnDelete`: a frozen or pinned prior deployment keeps
 * serving the version an earlier run registered, so replacing it with a new hash must never delete it.
 */
export class FlowModel extends pulumi.ComponentResource {
  readonly storage: pulumi.Output<DatastoreStorage>;
  /** ARM ID of this run's model version (what a deployment's `model` takes). */
  readonly modelId: pulumi.Output<string>;
  readonly modelName: string;
  readonly modelVersion: string;
  readonly datasetIds: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: FlowModelArgs, opts?: pulumi.ComponentResourceOptions) {
    super("llmops:infra:FlowModel", name, {}, opts);
    const { plan } = args;
    const ws: WorkspaceRef = {
      subscriptionId: plan.azure.subscriptionId,
      resourceGroupName: plan.azure.resourceGroupName,
      workspaceName: plan.azure.workspace.name,
    };

    const datastore = machinelearningservices.getDatastoreOutput(
      { name: defaultDatastoreName, resourceGroupName: ws.resourceGroupName, workspaceName: ws.workspaceName },
      { parent: this },
    );
    this.storage = datastore.apply((result) => blobStorageOf(result.properties, plan));

    const upload = (spec: BlobSpec) =>
      new storage.Blob(
        spec.resourceName,
        {
          accountName: this.storage.accountName,
          containerName: this.storage.containerName,
          resourceGroupName: this.storage.resourceGroupName,
          blobName: spec.blobName,
          type: "Block",
          contentType: spec.contentType,
          source: new pulumi.asset.FileAsset(spec.sourcePath),
        },
        { parent: this, retainOnDelete: true },
      );

    const flowBlobs = flowBlobSpecs(plan.flow).map(upload);
    this.modelName = plan.flow.model.name;
    this.modelVersion = plan.flow.model.version;
    const model = new machinelearningservices.ModelVersion(
      "model",
      {
        name: plan.flow.model.name,
        version: plan.flow.model.version,
        resourceGroupName: ws.resourceGroupName,
        workspaceName: ws.workspaceName,
        properties: flowModelVersionProperties(plan.flow, ws, plan.tags),
      },
      { parent: this, dependsOn: flowBlobs, retainOnDelete: true },
    );
    this.modelId = model.id;

    this.datasetIds = {};
    for (const dataset of plan.flow.datasets) {
      const blob = upload(datasetBlobSpec(dataset));
      const version = new machinelearningservices.DataVersion(
        `dataset-${dataset.name}`,
        {
          name: dataset.name,
          version: dataset.version,
          resourceGroupName: ws.resourceGroupName,
          workspaceName: ws.workspaceName,
          properties: datasetVersionProperties(dataset, ws, longLivedTags(plan.tags)),
        },
        { parent: this, dependsOn: [blob], retainOnDelete: true },
      );
      this.datasetIds[dataset.name] = version.id;
    }

    this.registerOutputs({ modelId: this.modelId, storage: this.storage, datasetIds: this.datasetIds });
  }
}

/** The default datastore must be a blob datastore (it always is for `workspaceblobstore`); say so if not. */
export function blobStorageOf(properties: unknown, plan: InfraPlan): DatastoreStorage {
  const bag = (typeof properties === "object" && properties !== null ? properties : {}) as Record<string, unknown>;
  const accountName = bag.accountName;
  const containerName = bag.containerName;
  if (bag.datastoreType !== "AzureBlob" || typeof accountName !== "string" || typeof containerName !== "string") {
    throw new Error(
      `datastore '${defaultDatastoreName}' of workspace '${plan.azure.workspace.name}' is not an Azure Blob datastore with an account and container`,
    );
  }
  const resourceGroupName = typeof bag.resourceGroup === "string" && bag.resourceGroup !== "" ? bag.resourceGroup : plan.azure.resourceGroupName;
  const subscriptionId = typeof bag.subscriptionId === "string" && bag.subscriptionId !== "" ? bag.subscriptionId : plan.azure.subscriptionId;
  return { accountName, containerName, resourceGroupName, accountId: storageAccountId(subscriptionId, resourceGroupName, accountName) };
}
