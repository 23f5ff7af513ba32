# My app's consumer contract: run with `pytest --kling-gateway kling-official --kling-emulator`.
def my_video_request(prompt):  # what my app sends for a 10-second pro video
    return {"model_name": "kling-v1", "prompt": prompt, "mode": "pro", "duration": "10"}


def test_ten_second_pro_video(kling_task, kling_client):
    final = kling_task("text2video", my_video_request("a red fox running through snow"))
    assert final.status.value == "succeed", final.failure_reason
    body = kling_client.get(kling_client.path("text2video.get", task_id=final.task_id)).json()
    assert body["data"]["task_result"]["videos"][0]["url"] == final.video_urls[0]  # where my code reads it
