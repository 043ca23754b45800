import pytest
from django.urls import reverse

from assessments.models import Assessment
from tests.personas import step_posts


@pytest.mark.django_db
def test_journey(client, runner_answers):
    url = reverse("assessments:questionnaire")
    assert client.get(url).status_code == 200
    for code, data in step_posts(runner_answers):
        response = client.post(url, data)
        if response.status_code == 200:
            print(code, response.context["form"].errors)
    assert response.status_code == 302, response.content[:3000]
    a = Assessment.objects.get()
    r = client.get(response.url)
    assert r.status_code == 200
    print(r.content.decode()[:6000])
