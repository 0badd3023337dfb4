-- Release checkpoints: a milestone's release moment (recorded once, with
-- who), and checkpoints at offsets from it (1 h, 4 h, 12 h, 24 h by default),
-- each due at its time and overdue after its grace. A checkpoint's criteria
-- are criteria rows that name it: they are judged only from evidence whose
-- effective_at falls in the window [due, due + grace].
create table milestone_releases (
    milestone_id integer primary key references milestones(id),
    released_at  text not null,
    released_by  integer not null references users(id),
    recorded_at  text not null
);
create trigger milestone_releases_immutable_update before update on milestone_releases
begin select raise(abort, 'a release is recorded once'); end;
create trigger milestone_releases_immutable_delete before delete on milestone_releases
begin select raise(abort, 'a release is recorded once'); end;

create table checkpoints (
    id             integer primary key,
    milestone_id   integer not null references milestones(id),
    label          text not null,
    offset_minutes integer not null check (offset_minutes between 1 and 525600),
    grace_minutes  integer not null check (grace_minutes between 1 and 10080),
    created_at     text not null,
    unique (milestone_id, label)
);

alter table criteria add column checkpoint_id integer references checkpoints(id);

create trigger data_generation_milestone_releases_insert after insert on milestone_releases begin update data_generation set n = n + 1 where id = 1; end;
-- (never fire: a release doesn't change; kept so every read table has all three)
create trigger data_generation_milestone_releases_update after update on milestone_releases begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_milestone_releases_delete after delete on milestone_releases begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_checkpoints_insert after insert on checkpoints begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_checkpoints_update after update on checkpoints begin update data_generation set n = n + 1 where id = 1; end;
create trigger data_generation_checkpoints_delete after delete on checkpoints begin update data_generation set n = n + 1 where id = 1; end;
