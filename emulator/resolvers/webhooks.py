"""Webhook subscriptions: `webhookSubscriptions`, `webhookSubscription` and the create/update/delete
mutations (delivery itself is emulator/webhooks.py)."""

from .. import webhooks
from .common import connection, parse_gid, search_filter
from .registry import field, mutation, query, shape

_SEARCH = {
    "topic": lambda s: s.topic.lower(),
    "uri": lambda s: s.uri,
    "id": lambda s: s.id,
    "created_at": lambda s: s.created_at,
    "updated_at": lambda s: s.updated_at,
}


shape("ApiVersion", "handle", "displayName", "supported")
shape("WebhookHttpEndpoint", "callbackUrl")
shape("WebhookPubSubEndpoint", "pubSubProject", "pubSubTopic")
shape("WebhookEventBridgeEndpoint", "arn")
shape("WebhookSubscriptionCreatePayload", "webhookSubscription", "userErrors")
shape("WebhookSubscriptionUpdatePayload", "webhookSubscription", "userErrors")
shape("WebhookSubscriptionDeletePayload", "deletedWebhookSubscriptionId", "userErrors")


def _subscriptions(shop, topics=None, uri=None, callbackUrl=None, format=None, query=None):
    found = list(shop.webhook_subscriptions.values())
    if topics:
        found = [s for s in found if s.topic in topics]
    if uri or callbackUrl:
        found = [s for s in found if s.uri == (uri or callbackUrl)]
    if format:
        found = [s for s in found if s.format == format]
    return search_filter(found, query, _SEARCH, "topic")


@query("webhookSubscriptions")
def resolve_webhook_subscriptions(
    _root, info, topics=None, uri=None, callbackUrl=None, format=None, query=None, sortKey=None, **page
):
    found = _subscriptions(info.context.shop, topics, uri, callbackUrl, format, query)
    key = (lambda s: s.created_at) if sortKey == "CREATED_AT" else None
    return connection(found, sort_key=key, **page)


@query("webhookSubscriptionsCount")
def resolve_webhook_subscriptions_count(_root, info, query=None, limit=10000):
    return {"count": len(_subscriptions(info.context.shop, query=query)), "precision": "EXACT"}


@query("webhookSubscription")
def resolve_webhook_subscription(_root, info, id):
    return info.context.shop.webhook_subscriptions.get(parse_gid(id, "WebhookSubscription"))


@field("WebhookSubscription", "apiVersion")
def resolve_api_version(subscription, _info):
    return {"handle": subscription.api_version, "displayName": subscription.api_version, "supported": True}


@field("WebhookSubscription", "callbackUrl")
def resolve_callback_url(subscription, _info):
    return subscription.uri if subscription.uri.startswith("http") else None


@field("WebhookSubscription", "endpoint")
def resolve_endpoint(subscription, _info):
    uri = subscription.uri
    if uri.startswith("pubsub://"):
        project, _, topic = uri[len("pubsub://") :].partition(":")
        return {"__typename": "WebhookPubSubEndpoint", "pubSubProject": project, "pubSubTopic": topic}
    if uri.startswith("arn:"):
        return {"__typename": "WebhookEventBridgeEndpoint", "arn": uri}
    return {"__typename": "WebhookHttpEndpoint", "callbackUrl": uri}


@field("WebhookSubscription", "metafields")
def resolve_metafields(_subscription, _info):
    return []


@mutation("webhookSubscriptionCreate")
def resolve_webhook_subscription_create(_root, info, topic, webhookSubscription):
    shop = info.context.shop
    with shop.lock:
        subscription, errors = webhooks.create_subscription(
            shop, topic, webhookSubscription, info.context.version
        )
    return {"webhookSubscription": subscription, "userErrors": errors}


def _not_found():
    return [{"field": ["id"], "message": "Webhook subscription does not exist"}]


@mutation("webhookSubscriptionUpdate")
def resolve_webhook_subscription_update(_root, info, id, webhookSubscription):
    shop = info.context.shop
    with shop.lock:
        subscription = shop.webhook_subscriptions.get(parse_gid(id, "WebhookSubscription"))
        if subscription is None:
            return {"webhookSubscription": None, "userErrors": _not_found()}
        return {
            "webhookSubscription": webhooks.update_subscription(shop, subscription, webhookSubscription),
            "userErrors": [],
        }


@mutation("webhookSubscriptionDelete")
def resolve_webhook_subscription_delete(_root, info, id):
    shop = info.context.shop
    with shop.lock:
        subscription = shop.webhook_subscriptions.get(parse_gid(id, "WebhookSubscription"))
        if subscription is None:
            return {"deletedWebhookSubscriptionId": None, "userErrors": _not_found()}
        webhooks.delete_subscription(shop, subscription)
        return {"deletedWebhookSubscriptionId": subscription.gid, "userErrors": []}
