"""A python tool taking connection objects: a CustomConnection for a CRM and the Azure OpenAI connection."""
from promptflow.connections import AzureOpenAIConnection, CustomConnection
from promptflow.core import tool


@tool
def route(ticket: str, crm: CustomConnection, model: AzureOpenAIConnection) -> dict:
    # A careless tool printing a secret: the engine must scrub it from what it records.
    print("calling %s with token %s" % (crm.configs["endpoint"], crm.secrets["token"]))
    return {
        "queue": crm.configs["queue"],
        "endpoint": crm.endpoint,
        "has_token": bool(crm.token),
        "model_base": model.api_base,
        "model_type": model.api_type,
        "model_version": model.api_version,
        "has_key": bool(model.api_key),
        "ticket_words": len(ticket.split()),
    }
