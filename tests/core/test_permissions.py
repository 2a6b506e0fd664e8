from siaga.accounts.choices import Role
from siaga.core.permissions import Action, Scope, can


def test_a_scope_covers_its_regions_and_what_lies_under_them_only():
    scope = Scope(codes=frozenset({"64.08.04"}))
    assert scope.covers("64.08.04") and scope.covers("64.08.04.1001")
    assert not scope.covers("64.08.041")  # a prefix without the dot is another code
    assert not scope.covers("64.08") and not scope.covers("64.08.06.2001")
    assert scope.may_open_region("64.08") and scope.may_open_region("64")
    assert not scope.may_open_region("64.01")


def test_an_empty_scope_sees_nothing():
    assert not Scope(codes=frozenset()).covers("64.08")


def test_roles_grant_what_the_brief_says(world):
    leadership = world.user(Role.LEADERSHIP)
    monitor = world.user(Role.FIELD_MONITOR, scope=[world.desa_a1])
    analyst = world.user(Role.ANALYST)
    assert can(leadership, Action.VIEW) and not can(leadership, Action.EDIT_MASTER)
    assert can(monitor, Action.SUBMIT_FIELD, "64.08.04.1001")
    assert not can(monitor, Action.SUBMIT_FIELD, "64.08.04.1002")
    assert not can(monitor, Action.VIEW)
    assert can(analyst, Action.EDIT_MASTER, "64.08.06") and not can(analyst, Action.MANAGE_USERS)
    assert not can(analyst, Action.VIEW, "64.01")


def test_an_inactive_user_may_do_nothing(world):
    user = world.user(Role.ADMIN)
    user.is_active = False
    assert not can(user, Action.VIEW)


def test_only_kpu_liaisons_and_admins_edit_logistics(world):
    from siaga.accounts.choices import AgencyKind
    from tests.factories import AgencyFactory, UserFactory

    kpu = AgencyFactory(code="kpu", name="KPU Kutai Timur", kind=AgencyKind.KPU)
    polres = AgencyFactory(code="polres", name="Polres Kutai Timur", kind=AgencyKind.POLRI)
    kpu_liaison = UserFactory(username="kpu1", role=Role.LIAISON, agency=kpu, scope=[world.regency])
    police = UserFactory(username="pol1", role=Role.LIAISON, agency=polres, scope=[world.regency])
    assert can(kpu_liaison, Action.EDIT_LOGISTICS, "64.08.06.2001")
    assert not can(kpu_liaison, Action.EDIT_LOGISTICS, "64.01.01.2001")  # outside the scope
    assert not can(police, Action.EDIT_LOGISTICS)
    assert not can(world.user(Role.ANALYST), Action.EDIT_LOGISTICS)
    assert can(world.user(Role.ADMIN), Action.EDIT_LOGISTICS)
    assert not can(world.user(Role.FIELD_MONITOR, scope=[world.desa_a1]), Action.EDIT_LOGISTICS)


def test_a_refusal_speaks_indonesian_and_english_when_asked(world):
    import pytest
    from django.utils import translation

    from siaga.core.errors import PermissionDenied
    from siaga.core.permissions import require

    leadership = world.user(Role.LEADERSHIP)
    with pytest.raises(PermissionDenied, match="Anda tidak berwenang"):
        require(leadership, Action.EDIT_MASTER)
    with translation.override("en"), pytest.raises(PermissionDenied, match="not allowed"):
        require(leadership, Action.EDIT_MASTER)
