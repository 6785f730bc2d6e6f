-- A neutralized copy (staging, test) must never talk to the live stores: archive every shop and
-- forget cached OAuth tokens. Credentials stay so a confirmed copy can be reconnected on purpose.
UPDATE shopify_shop SET active = false;
