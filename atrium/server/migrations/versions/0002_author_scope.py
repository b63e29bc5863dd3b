"""posts of followed people: change_log.author_scope

A post in a public community also carries ``author:<author_id>``, so the people who follow its
author sync it even where they have not joined. Existing posts get it, and every existing
follow of a person is recorded as a gain of that scope, so desktops already in sync backfill.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 11:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("change_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("author_scope", sa.String(length=60), nullable=True))
        batch_op.create_index("ix_change_log_author_scope_seq", ["author_scope", "seq"], unique=False)
    op.execute(
        """
        UPDATE change_log SET author_scope = (
            SELECT 'author:' || p.author_id FROM posts p JOIN communities c ON c.id = p.community_id
            WHERE p.id = change_log.object_id AND c.visibility = 'public' AND p.author_id IS NOT NULL
        )
        WHERE type = 'post'
        """
    )
    op.execute(
        """
        INSERT INTO scope_events (seq, user_id, scope, op)
        SELECT (SELECT value FROM sync_counter WHERE id = 1)
               + ROW_NUMBER() OVER (ORDER BY user_id, target_id),
               user_id, 'author:' || target_id, 'gain'
        FROM follows WHERE target_type = 'user'
        """
    )
    op.execute(
        """
        UPDATE sync_counter
        SET value = value + (SELECT count(*) FROM follows WHERE target_type = 'user')
        WHERE id = 1
        """
    )


def downgrade() -> None:
    op.execute("DELETE FROM scope_events WHERE scope LIKE 'author:%'")
    with op.batch_alter_table("change_log", schema=None) as batch_op:
        batch_op.drop_index("ix_change_log_author_scope_seq")
        batch_op.drop_column("author_scope")
