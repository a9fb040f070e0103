from casework.accounts.models import Role, User


def test_administrator_adds_a_staff_member_in_the_admin(login, admin_user, team_a, agency):
    admin_user.is_staff = True
    admin_user.is_superuser = True
    admin_user.save()
    http = login(admin_user)
    assert http.get("/django-admin/accounts/user/add/").status_code == 200
    response = http.post(
        "/django-admin/accounts/user/add/",
        {
            "email": "new.worker@example.org",
            "full_name": "New Worker",
            "agency": agency.pk,
            "team": team_a.pk,
            "role": Role.CASE_MANAGER,
            "usable_password": "true",
            "password1": "a long enough passphrase 42",
            "password2": "a long enough passphrase 42",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    created = User.objects.get(email="new.worker@example.org")
    assert created.check_password("a long enough passphrase 42")
    assert created.team == team_a


def test_client_records_are_not_in_the_admin(login, admin_user):
    admin_user.is_staff = True
    admin_user.is_superuser = True
    admin_user.save()
    assert login(admin_user).get("/django-admin/clients/client/").status_code == 404


def test_home_sends_each_role_to_its_start_page(login, worker, auditor):
    assert login(worker).get("/")["Location"] == "/today/"
    assert login(auditor).get("/")["Location"] == "/audit/"
