-- shenpi schema, version 20: an instance's comment list pages over its top-level comments (the replies come with
-- the comment they answer). This index walks them in order by their keys alone, so a page skips the comments
-- before it without reading them, and finds a page's replies.
CREATE INDEX comments_by_parent ON comments (tenant_key, instance_code, parent_comment_id, id)
